// SPDX-License-Identifier: Apache-2.0
// Greedy-by-size placement (as in TFLite's and XNNPACK's arena planners): sorting by size puts
// the large buffers first, and each buffer then takes the lowest gap left by the buffers whose
// lifetimes it overlaps. O(n^2) in the number of buffers, which is small (one per activation).
#include "exec/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace mxserve {

size_t PlanMemory(std::vector<UsageRecord>& records) {
  for (auto& r : records) r.bytes = (r.bytes + 63) / 64 * 64;
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return records[a].bytes > records[b].bytes; });
  std::vector<size_t> placed;
  size_t arena = 0;
  for (size_t idx : order) {
    UsageRecord& r = records[idx];
    // Collect the intervals [offset, offset+bytes) of placed buffers alive at the same time.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t p : placed) {
      const UsageRecord& o = records[p];
      if (o.last_step < r.first_step || r.last_step < o.first_step) continue;
      busy.emplace_back(o.offset, o.offset + o.bytes);
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& b : busy) {
      if (offset + r.bytes <= b.first) break;
      offset = std::max(offset, b.second);
    }
    r.offset = offset;
    arena = std::max(arena, offset + r.bytes);
    placed.push_back(idx);
  }
  return arena;
}

}  // namespace mxserve
