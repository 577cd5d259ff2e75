// SPDX-License-Identifier: Apache-2.0
// Static memory planner: places every activation buffer at an offset of one arena so that
// buffers whose lifetimes overlap never overlap in memory.
#pragma once

#include <cstddef>
#include <vector>

namespace mxserve {

/// One buffer to place. Lifetimes are inclusive step indices.
struct UsageRecord {
  int first_step = 0;   ///< step that writes the buffer first
  int last_step = 0;    ///< last step that reads it
  size_t bytes = 0;     ///< size in bytes (rounded up to 64 by the planner)
  size_t offset = 0;    ///< assigned offset in the arena (output)
};

/// Assigns offsets greedily, largest buffer first, each at the lowest offset that does not
/// collide with an already placed buffer of overlapping lifetime. Returns the arena size.
size_t PlanMemory(std::vector<UsageRecord>& records);

}  // namespace mxserve
