// SPDX-License-Identifier: Apache-2.0
// Fuse element-wise successors into Convolution.
//
// A convolution whose output is read by exactly one node (and is not a requested output) absorbs
// that node when it is an activation (Activation, LeakyReLU leaky/elu/gelu, clip) or a same-shape
// addition (elemwise_add, broadcast_add, _npi_add): oneDNN applies them as post-ops while the
// output is still in cache, and the residual of an addition is accumulated into the output
// buffer. The absorbed node becomes the fused convolution (keeping its name, so its output stays
// addressable) and the original convolution node dies. Repeats along the chain, so
// conv -> add -> relu (ResNet v1) becomes one node.
#include <memory>

#include "graph/op_def.h"
#include "ops/activation.h"
#include "ops/clip.h"
#include "ops/convolution.h"
#include "ops/leaky_relu.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

// The post-op equivalent of an element-wise node, if there is one.
bool AsEltwise(const Node& n, ConvPostOp* op) {
  const std::string& name = n.def->name();
  op->kind = ConvPostOp::Kind::kEltwise;
  op->alpha = op->beta = 0.f;
  if (name == "Activation") {
    const std::string& act = static_cast<const ActivationParam*>(n.param.get())->act_type;
    if (act == "relu") op->algorithm = "relu";
    else if (act == "sigmoid") op->algorithm = "logistic";
    else if (act == "tanh") op->algorithm = "tanh";
    else if (act == "mish") op->algorithm = "mish";
    else if (act == "softrelu") op->algorithm = "soft_relu", op->alpha = 1.f;
    else return false;
    return true;
  }
  if (name == "LeakyReLU") {
    const auto& p = *static_cast<const LeakyReLUParam*>(n.param.get());
    if (p.act_type == "leaky") op->algorithm = "relu", op->alpha = p.slope;
    else if (p.act_type == "elu") op->algorithm = "elu", op->alpha = p.slope;
    else if (p.act_type == "gelu") op->algorithm = "gelu_erf";
    else return false;
    return true;
  }
  if (name == "clip") {
    const auto& p = *static_cast<const ClipParam*>(n.param.get());
    if (!(p.a_min <= p.a_max)) return false;  // MXNet's order of tests matters only then
    op->algorithm = "clip";
    op->alpha = p.a_min;
    op->beta = p.a_max;
    return true;
  }
  return false;
}

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
    if (g.nodes[c].is_variable() || g.nodes[c].def->name() != "Convolution") continue;
    uint32_t cur = c;
    while (true) {
      const Node& conv = g.nodes[cur];
      const auto& cp = *static_cast<const ConvolutionParam*>(conv.param.get());
      NodeEntry out{cur, 0};
      uint32_t d = OnlyConsumer(ctx, out);
      if (d == UINT32_MAX || g.nodes[d].is_variable()) break;
      Node& next = g.nodes[d];
      auto fused = std::make_shared<ConvolutionParam>(cp);
      std::vector<NodeEntry> inputs = conv.inputs;
      ConvPostOp op;
      if (AsEltwise(next, &op)) {
        fused->post_ops.push_back(op);
      } else if (IsAdd(next) && !cp.has_sum() && next.inputs.size() == 2) {
        NodeEntry other = next.inputs[0] == out ? next.inputs[1] : next.inputs[0];
        if (other == out) break;  // conv + conv: nothing to gain
        const Shape& a = ctx.ShapeOf(out);
        const Shape& b = ctx.ShapeOf(other);
        if (!a.known() || a != b) break;  // broadcasting additions are not a sum post-op
        op.kind = ConvPostOp::Kind::kSum;
        fused->post_ops.push_back(op);
        inputs.push_back(other);
      } else {
        break;
      }
      BecomeLike(next, conv, fused, inputs);
      cur = d;
    }
  }
}

}  // namespace mxserve
