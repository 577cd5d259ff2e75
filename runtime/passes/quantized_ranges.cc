// SPDX-License-Identifier: Apache-2.0
// Resolve the ranges of quantized tensors at bind time.
//
// In a calibrated MXNet graph every min/max entry is a constant: quantize_v2, requantize and the
// fused convolutions take theirs from min/max_calib_range, pooling, flatten and activation pass
// their input's on, and weight ranges are parameters. This pass walks the graph in order,
// evaluates each quantized node's range inputs (parameters or outputs 1 and 2 of an earlier
// quantized node) and stores them, with the node's own output range, in a copy of its param.
// A range that is only known at run time (calib_mode='none') is an error naming the node.
#include <map>

#include "base/error.h"
#include "graph/op_def.h"
#include "ops/quantization.h"
#include "passes/pass.h"

namespace mxserve {

void ResolveQuantizedRanges(PassContext& ctx) {
  Graph& g = ctx.graph;
  std::map<NodeEntry, float> known;  // range entries evaluated so far
  // Only nodes the selected outputs need have inferred dtypes.
  const std::vector<NodeEntry> roots(ctx.keep.begin(), ctx.keep.end());
  const std::vector<bool> live = LiveNodes(g, roots);
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.is_variable() || !live[i]) continue;
    const QuantizedOpInfo* info = FindQuantizedOp(n.def->name());
    if (info == nullptr) continue;
    std::vector<float> values;
    for (int k : info->range_inputs(n.param.get())) {
      const NodeEntry& e = n.inputs[k];
      auto it = known.find(e);
      if (it != known.end()) {
        values.push_back(it->second);
        continue;
      }
      const NDArray* v = ctx.Constant(e.node);
      MXS_CHECK_CODE(v != nullptr, kUnsupported)
          << NodeDesc(n) << ": range input " << k << " ('" << EntryName(g, e)
          << "') is not known at bind time: mxserve runs calibrated quantized graphs only "
             "(quantize with calib_mode 'naive' or 'entropy')";
      MXS_CHECK(v->dtype == DType::kFloat32 && v->shape.Size() == 1)
          << NodeDesc(n) << ": range input " << k << " ('" << EntryName(g, e)
          << "') must be one float32 value, got " << DTypeName(v->dtype) << " " << v->shape.ToString();
      values.push_back(v->data->as<float>()[0]);
    }
    std::vector<DType> dtypes;
    for (const NodeEntry& e : n.inputs) dtypes.push_back(ctx.DTypeOf(e));
    try {
      n.param = info->resolve(n.param.get(), values, dtypes);
    } catch (const Error& e) {
      throw Error(e.code(), NodeDesc(n) + ": " + e.what());
    }
    if (info->has_range_outputs(n.param.get())) {
      const QuantRanges& r = info->ranges(n.param.get());
      known[NodeEntry{i, 1}] = r.out_min;
      known[NodeEntry{i, 2}] = r.out_max;
    }
  }
}

}  // namespace mxserve
