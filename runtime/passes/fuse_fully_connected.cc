// SPDX-License-Identifier: Apache-2.0
// Fuse an activation into the FullyConnected (or dot / batch_dot) before it.
//
// A FullyConnected, dot or batch_dot whose output is read by exactly one node (and is not a requested output)
// absorbs that node when it is a GELU (LeakyReLU act_type=gelu, the erf form, as in BERT's
// feed-forward layers) or an Activation relu/sigmoid/tanh: oneDNN's inner product (matmul)
// applies it as an eltwise post-op while the output is still in cache. The activation node
// becomes the fused product (keeping its name and consumers; a FullyConnected becomes an
// _sg_mkldnn_fully_connected, a float32 one of which absorbs further steps) and the original
// node dies.
#include <memory>
#include <optional>

#include "graph/op_def.h"
#include "ops/activation.h"
#include "ops/dot.h"
#include "ops/leaky_relu.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

// The oneDNN eltwise algorithm equivalent to `n`, or an empty string.
std::string EltwiseOf(const Node& n) {
  const std::string& name = n.def->name();
  if (name == "LeakyReLU") {
    return static_cast<const LeakyReLUParam*>(n.param.get())->act_type == "gelu" ? "gelu_erf" : "";
  }
  if (name == "Activation") {
    const std::string& act = static_cast<const ActivationParam*>(n.param.get())->act_type;
    if (act == "relu") return "relu";
    if (act == "sigmoid") return "logistic";
    if (act == "tanh") return "tanh";
  }
  return "";
}

}  // namespace

void FuseFullyConnected(PassContext& ctx) {
  Graph& g = ctx.graph;
  for (uint32_t f = 0; f < g.nodes.size(); ++f) {
    const Node& fc = g.nodes[f];
    if (fc.is_variable()) continue;
    const std::string& op = fc.def->name();
    std::optional<FusedFullyConnectedParam> fused = FusibleFullyConnected(fc);
    if (!fused && op != "dot" && op != "batch_dot") continue;
    const NodeEntry out{f, 0};
    if (ctx.keep.count(out) || ctx.NumConsumers(out) != 1) continue;
    uint32_t d = f + 1;
    for (; d < g.nodes.size(); ++d) {
      bool reads = false;
      for (const NodeEntry& in : g.nodes[d].inputs) reads = reads || in == out;
      if (reads) break;
    }
    if (d == g.nodes.size() || g.nodes[d].is_variable() || g.nodes[d].inputs.size() != 1) continue;
    const std::string algorithm = EltwiseOf(g.nodes[d]);
    if (algorithm.empty()) continue;
    ConvPostOp post;
    post.algorithm = algorithm;
    if (fused) {
      fused->post_ops.push_back(post);
      BecomeFused(g.nodes[d], std::move(*fused), fc.inputs);
    } else {
      auto p = std::make_shared<DotParam>(*static_cast<const DotParam*>(fc.param.get()));
      p->post_ops.push_back(post);
      BecomeLike(g.nodes[d], fc, p, fc.inputs);
    }
  }
}

}  // namespace mxserve
