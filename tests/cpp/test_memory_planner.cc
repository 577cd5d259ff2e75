// SPDX-License-Identifier: Apache-2.0
// Memory planner: buffers alive at the same time never overlap; dead buffers are reused.
#include <cstdio>
#include <vector>

#include "exec/memory_planner.h"

using mxserve::PlanMemory;
using mxserve::UsageRecord;

static int test_no_overlap_when_alive_together() {
  std::vector<UsageRecord> r = {{0, 2, 100}, {1, 3, 200}, {2, 4, 50}};
  size_t arena = PlanMemory(r);
  for (size_t i = 0; i < r.size(); ++i)
    for (size_t j = i + 1; j < r.size(); ++j) {
      bool live = !(r[i].last_step < r[j].first_step || r[j].last_step < r[i].first_step);
      bool mem = r[i].offset < r[j].offset + r[j].bytes && r[j].offset < r[i].offset + r[i].bytes;
      if (live && mem) {
        std::fprintf(stderr, "records %zu and %zu overlap\n", i, j);
        return 1;
      }
    }
  return arena >= 64 * 6 ? 0 : 1;
}

static int test_chain_reuses_memory() {
  // a -> b -> c -> d: each buffer dies when the next is written, so two slots suffice.
  std::vector<UsageRecord> r = {{0, 1, 1024}, {1, 2, 1024}, {2, 3, 1024}, {3, 4, 1024}};
  size_t arena = PlanMemory(r);
  if (arena != 2048) {
    std::fprintf(stderr, "chain arena %zu, expected 2048\n", arena);
    return 1;
  }
  return 0;
}

int main() { return test_no_overlap_when_alive_together() || test_chain_reuses_memory(); }
