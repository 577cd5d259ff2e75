// SPDX-License-Identifier: Apache-2.0
// Fuse element-wise successors into Convolution.
//
// A convolution (a Convolution or a float32 _sg_mkldnn_conv) whose output is read by exactly one
// node (and is not a requested output) absorbs that node when it is an activation (Activation,
// LeakyReLU leaky/elu/gelu, clip) or a same-shape addition (elemwise_add, broadcast_add,
// _npi_add): oneDNN applies them as post-ops while the output is still in cache, and the residual
// of an addition is accumulated into the output buffer. The absorbed node becomes the fused
// convolution (_sg_mkldnn_conv, keeping its name, so its output stays addressable) and the
// original convolution node dies. Repeats along the chain, so conv -> add -> relu (ResNet v1)
// becomes one node.
#include <optional>

#include "graph/op_def.h"
#include "ops/post_op.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

bool IsAdd(const Node& n) {
  const std::string& name = n.def->name();
  return name == "elemwise_add" || name == "broadcast_add" || name == "_npi_add";
}

// The single live consumer of `e`, or UINT32_MAX.
uint32_t OnlyConsumer(const PassContext& ctx, const NodeEntry& e) {
  if (ctx.keep.count(e) || ctx.NumConsumers(e) != 1) return UINT32_MAX;
  for (uint32_t i = e.node + 1; i < ctx.graph.nodes.size(); ++i)
    for (const NodeEntry& in : ctx.graph.nodes[i].inputs)
      if (in == e) return i;
  return UINT32_MAX;
}

}  // namespace

void FuseConvolution(PassContext& ctx) {
  Graph& g = ctx.graph;
  for (uint32_t c = 0; c < g.nodes.size(); ++c) {
    if (!FusibleConvolution(g.nodes[c])) continue;
    uint32_t cur = c;
    while (true) {
      const Node& conv = g.nodes[cur];
      std::optional<FusedConvolutionParam> fused = FusibleConvolution(conv);
      // A depthwise stage's steps are its own (passes/fuse_depthwise.cc runs after this pass).
      if (!fused || fused->depthwise) break;
      NodeEntry out{cur, 0};
      uint32_t d = OnlyConsumer(ctx, out);
      if (d == UINT32_MAX || g.nodes[d].is_variable()) break;
      Node& next = g.nodes[d];
      std::vector<NodeEntry> inputs = conv.inputs;
      if (std::optional<ConvPostOp> op = EltwisePostOp(next.def->name(), next.attrs)) {
        fused->post_ops.push_back(*op);
      } else if (IsAdd(next) && !fused->has_sum() && next.inputs.size() == 2) {
        NodeEntry other = next.inputs[0] == out ? next.inputs[1] : next.inputs[0];
        if (other == out) break;  // conv + conv: nothing to gain
        const Shape& a = ctx.ShapeOf(out);
        const Shape& b = ctx.ShapeOf(other);
        if (!a.known() || a != b) break;  // broadcasting additions are not a sum post-op
        ConvPostOp sum;
        sum.kind = ConvPostOp::Kind::kSum;
        fused->post_ops.push_back(sum);
        inputs.push_back(other);
      } else {
        break;
      }
      BecomeFused(next, std::move(*fused), std::move(inputs));
      cur = d;
    }
  }
}

}  // namespace mxserve
