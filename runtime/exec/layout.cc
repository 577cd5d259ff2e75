// SPDX-License-Identifier: Apache-2.0
// Entries are grouped with union-find: a kSameLayout kernel (eltwise, batch norm...) ties its
// 3-D to 5-D activations into one group, which is channels-last only if every member can be.
// kAnyLayout kernels (convolution, pooling, concat) convert between layouts themselves, so they
// add no ties; a kRowMajorOnly kernel forces its inputs and outputs to stay row-major.
// Identity operators that keep the shape (Dropout, BlockGrad) tie input and output like
// kSameLayout.
#include "exec/layout.h"

#include <cstdlib>
#include <cstring>

#include "exec/entry_groups.h"
#include "graph/op_def.h"

namespace mxserve {

void AssignLayouts(Plan& plan, DType compute_dtype) {
  const char* env = std::getenv("MXSERVE_LAYOUT");
  const bool forced = env != nullptr && std::strcmp(env, "channels_last") == 0;
  if (env != nullptr && std::strcmp(env, "rowmajor") == 0) return;
  if (!forced && !plan.backend->PrefersChannelsLast(compute_dtype)) return;
  const Graph& g = plan.graph;
  const size_t n = plan.entries.size();
  auto candidate = [&](uint32_t e) {
    const TensorDesc& d = plan.entries[e];
    const bool dtype_ok = d.dtype == DType::kFloat32 || d.dtype == DType::kInt8 || d.dtype == DType::kUint8;
    return d.shape.ndim() >= 3 && d.shape.ndim() <= 5 && dtype_ok;
  };
  auto support_of = [&](const Step& s) {
    const Node& node = g.nodes[s.node];
    if (!node.def->is_identity()) return plan.backend->layout_support(node.def->name());
    bool same_shape = plan.entries[s.in[0]].shape == plan.entries[s.out[0]].shape;
    return same_shape ? Backend::kSameLayout : Backend::kRowMajorOnly;
  };
  std::vector<bool> ok(n, false);
  EntryGroups groups(n);
  for (const Step& s : plan.steps) {
    Backend::LayoutSupport support = support_of(s);
    for (uint32_t e : s.out)
      ok[e] = candidate(e) && support != Backend::kRowMajorOnly;
  }
  for (const Step& s : plan.steps) {
    Backend::LayoutSupport support = support_of(s);
    if (support == Backend::kRowMajorOnly) {
      for (uint32_t e : s.in) ok[e] = false;
    } else if (support == Backend::kSameLayout) {
      uint32_t anchor = UINT32_MAX;
      for (uint32_t e : s.out) {
        if (!candidate(e)) continue;
        if (anchor == UINT32_MAX) anchor = e;
        groups.Tie(e, anchor);
      }
      for (uint32_t e : s.in) {
        if (!candidate(e) || plan.entries[e].shape.ndim() != plan.entries[s.out[0]].shape.ndim()) continue;
        if (anchor == UINT32_MAX) anchor = e;
        groups.Tie(e, anchor);
      }
    }
  }
  for (uint32_t e : plan.output_entries) ok[e] = false;
  // Graph inputs and parameters (never produced by a step) are row-major by definition.
  std::vector<bool> chosen = groups.AllOk(ok);
  for (size_t e = 0; e < n; ++e)
    if (chosen[e]) plan.entries[e].layout = Layout::kChannelsLast;
}

}  // namespace mxserve
