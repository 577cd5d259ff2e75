// SPDX-License-Identifier: Apache-2.0
// Mirrors exec/layout.cc for one reduced compute dtype (bfloat16): union-find groups tie the
// activations of kernels that handle it as kSameType (and of identity operators, which alias
// their input) so that they share one dtype; kConverting kernels (convolution) convert each input
// and output themselves and add no ties; a kNone kernel keeps its float activations float32.
#include "exec/precision.h"


#include "exec/entry_groups.h"
#include "graph/op_def.h"

namespace mxserve {

void AssignPrecision(Plan& plan, DType compute_dtype) {
  if (compute_dtype != DType::kBfloat16 && compute_dtype != DType::kFloat16) return;
  const Graph& g = plan.graph;
  const size_t n = plan.entries.size();
  auto support_of = [&](const Step& s) {
    const Node& node = g.nodes[s.node];
    if (node.def->is_identity()) return DTypeHandling::kSameType;
    return plan.backend->precision_support(node.def->name()).For(compute_dtype);
  };
  auto is_f32 = [&](uint32_t e) { return plan.entries[e].dtype == DType::kFloat32; };
  std::vector<bool> ok(n, false);
  EntryGroups groups(n);
  for (const Step& s : plan.steps) {
    DTypeHandling support = support_of(s);
    for (uint32_t e : s.out) ok[e] = is_f32(e) && support != DTypeHandling::kNone;
  }
  for (const Step& s : plan.steps) {
    DTypeHandling support = support_of(s);
    if (support == DTypeHandling::kNone) {
      for (uint32_t e : s.in) ok[e] = false;
    } else if (support == DTypeHandling::kSameType) {
      // Only tensors shaped like the output are tied (BatchNorm's statistics stay float32),
      // except through identity operators, which alias their input whatever its shape.
      const bool identity = g.nodes[s.node].def->is_identity();
      const int ndim = plan.entries[s.out[0]].shape.ndim();
      uint32_t anchor = UINT32_MAX;
      for (const auto* list : {&s.out, &s.in})
        for (uint32_t e : *list) {
          if (!is_f32(e) || (!identity && plan.entries[e].shape.ndim() != ndim)) continue;
          if (anchor == UINT32_MAX) anchor = e;
          groups.Tie(e, anchor);
        }
    }
  }
  for (uint32_t e : plan.output_entries) ok[e] = false;
  std::vector<bool> chosen = groups.AllOk(ok);
  for (size_t e = 0; e < n; ++e)
    if (chosen[e]) plan.entries[e].dtype = compute_dtype;
}

}  // namespace mxserve
