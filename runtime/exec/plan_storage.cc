// SPDX-License-Identifier: Apache-2.0
// BuildPlan's storage stages. Identity operators alias their input; an operator that allows it
// writes in place into an input whose storage dies at that node; every other entry written by a
// step gets an arena slot from the greedy-by-size memory planner. An output that is an arena
// entry of its own is written straight into the caller's buffer on a host backend.
#include <algorithm>
#include <numeric>

#include "exec/memory_planner.h"
#include "exec/plan_build.h"
#include "graph/op_def.h"

namespace mxserve {

void GroupStorage(PlanBuild& b) {
  Plan& plan = b.plan;
  const Graph& g = plan.graph;
  const uint32_t count = b.bound->ids.count;
  std::vector<uint32_t>& root = b.root;
  root.resize(count);
  std::iota(root.begin(), root.end(), 0);
  b.group_last = b.last_use;
  std::vector<int>& group_last = b.group_last;
  for (Step& step : plan.steps) {
    const Node& n = g.nodes[step.node];
    const OpDef& def = *n.def;
    const size_t in_bytes = plan.entries[step.in[0]].nbytes();
    if (def.is_identity() && in_bytes == plan.entries[step.out[0]].nbytes()) {
      uint32_t r = root[step.in[0]];
      root[step.out[0]] = r;
      group_last[r] = std::max(group_last[r], b.last_use[step.out[0]]);
      continue;
    }
    for (const auto& io : def.InplacePairs(n.param.get())) {
      uint32_t in_e = step.in[io.first], out_e = step.out[io.second];
      uint32_t r = root[in_e];
      int s = static_cast<int>(&step - plan.steps.data());
      bool arena_root = plan.slots[r].kind == EntrySlot::Kind::kNone && b.first_def[r] >= 0;
      if (!arena_root || group_last[r] != s || root[out_e] != out_e) continue;
      if (plan.entries[in_e].nbytes() != plan.entries[out_e].nbytes()) continue;
      if (plan.entries[in_e].layout != plan.entries[out_e].layout) continue;
      // Writing the output over storage that another input of the same step still reads would
      // corrupt it (a convolution reading x and accumulating into x), so that case is skipped.
      bool shared = false;
      for (size_t k = 0; k < step.in.size(); ++k)
        if (static_cast<int>(k) != io.first && root[step.in[k]] == r) shared = true;
      if (shared) continue;
      root[out_e] = r;
      group_last[r] = std::max(group_last[r], b.last_use[out_e]);
    }
  }
}

void PlanArena(PlanBuild& b) {
  Plan& plan = b.plan;
  const uint32_t count = b.bound->ids.count;
  const std::vector<uint32_t>& root = b.root;
  // Arena placement for group roots produced by steps.
  std::vector<UsageRecord> records;
  std::vector<uint32_t> record_entry;
  for (uint32_t e = 0; e < count; ++e) {
    if (root[e] != e || b.first_def[e] < 0) continue;
    UsageRecord r;
    r.first_step = b.first_def[e];
    r.last_step = std::max(b.group_last[e], b.first_def[e]);
    r.bytes = plan.entries[e].nbytes();
    for (uint32_t m = 0; m < count; ++m)
      if (root[m] == e) r.bytes = std::max(r.bytes, plan.entries[m].nbytes());
    records.push_back(r);
    record_entry.push_back(e);
  }
  plan.arena_bytes = PlanMemory(records);
  for (size_t k = 0; k < records.size(); ++k) {
    EntrySlot& slot = plan.slots[record_entry[k]];
    slot.kind = EntrySlot::Kind::kArena;
    slot.offset = records[k].offset;
  }
  for (uint32_t e = 0; e < count; ++e) {
    if (root[e] == e) continue;
    EntrySlot& slot = plan.slots[e];
    slot.kind = EntrySlot::Kind::kAlias;
    slot.index = static_cast<int>(root[e]);
    plan.alias_entries.push_back(e);
  }
  // Outputs written in place: arena entries of their own that no other entry shares, requested
  // once.
  for (uint32_t e : plan.output_entries) {
    bool alone = plan.slots[e].kind == EntrySlot::Kind::kArena &&
                 std::count(plan.output_entries.begin(), plan.output_entries.end(), e) == 1;
    for (uint32_t m = 0; m < count && alone; ++m) alone = m == e || root[m] != e;
    plan.output_in_place.push_back(alone);
  }
}

}  // namespace mxserve
