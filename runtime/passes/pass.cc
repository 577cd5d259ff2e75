// SPDX-License-Identifier: Apache-2.0
#include "passes/pass.h"

#include <cstdio>
#include <cstdlib>

#include "base/error.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

const NDArray* PassContext::Constant(uint32_t v) const {
  const Node& n = graph.nodes[v];
  if (!n.is_variable() || inputs.count(n.name)) return nullptr;
  auto o = overrides.find(v);
  if (o != overrides.end()) return &o->second;
  auto p = params.find(n.name);
  return p == params.end() ? nullptr : &p->second;
}

void BecomeLike(Node& target, const Node& like, std::shared_ptr<const void> param,
                std::vector<NodeEntry> inputs) {
  target.op = like.op;
  target.def = like.def;
  target.attrs = like.attrs;
  target.param = std::move(param);
  target.inputs = std::move(inputs);
  target.num_outputs = 1;
}

std::optional<FusedConvolutionParam> FusibleConvolution(const Node& n) {
  if (n.is_variable()) return std::nullopt;
  const std::string& op = n.def->name();
  if (op == "Convolution") return FusedConvolutionParam::Of(*static_cast<const ConvolutionParam*>(n.param.get()));
  if (op != "_sg_mkldnn_conv") return std::nullopt;
  const auto& p = *static_cast<const FusedConvolutionParam*>(n.param.get());
  if (p.quantized) return std::nullopt;
  return p;
}

std::optional<FusedFullyConnectedParam> FusibleFullyConnected(const Node& n) {
  if (n.is_variable()) return std::nullopt;
  const std::string& op = n.def->name();
  if (op == "FullyConnected")
    return FusedFullyConnectedParam::Of(*static_cast<const FullyConnectedParam*>(n.param.get()));
  if (op != "_sg_mkldnn_fully_connected") return std::nullopt;
  const auto& p = *static_cast<const FusedFullyConnectedParam*>(n.param.get());
  if (p.quantized) return std::nullopt;
  return p;
}

namespace {

void BecomeOp(Node& target, const char* op, std::shared_ptr<const void> param, std::vector<NodeEntry> inputs) {
  target.def = OpRegistry::Global().Find(op);
  MXS_CHECK_CODE(target.def != nullptr, kInternal) << "operator " << op << " is not registered";
  target.op = op;
  target.attrs.clear();  // the param describes the fused node
  target.param = std::move(param);
  target.inputs = std::move(inputs);
  target.num_outputs = 1;
}

}  // namespace

void BecomeFused(Node& target, FusedConvolutionParam param, std::vector<NodeEntry> inputs) {
  BecomeOp(target, "_sg_mkldnn_conv", std::make_shared<FusedConvolutionParam>(std::move(param)),
           std::move(inputs));
}

void BecomeFused(Node& target, FusedFullyConnectedParam param, std::vector<NodeEntry> inputs) {
  BecomeOp(target, "_sg_mkldnn_fully_connected",
           std::make_shared<FusedFullyConnectedParam>(std::move(param)), std::move(inputs));
}

int PassContext::NumConsumers(const NodeEntry& e) const {
  // Consumers are counted over the nodes reachable from the graph outputs and `keep`.
  std::vector<NodeEntry> roots(graph.outputs);
  roots.insert(roots.end(), keep.begin(), keep.end());
  const std::vector<bool> live = LiveNodes(graph, roots);
  int count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!live[i]) continue;
    for (const NodeEntry& in : graph.nodes[i].inputs) count += in == e;
  }
  return count;
}

namespace {
void PrintOpCounts(const char* when, const Graph& g) {
  std::map<std::string, int> counts;
  const std::vector<bool> live = LiveNodes(g, g.outputs);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (live[i] && !g.nodes[i].is_variable()) counts[g.nodes[i].def->name()]++;
  std::fprintf(stderr, "[mxserve] graph %s passes:", when);
  for (const auto& kv : counts) std::fprintf(stderr, " %s=%d", kv.first.c_str(), kv.second);
  std::fprintf(stderr, "\n");
}
}  // namespace

void RunPasses(PassContext& ctx) {
  const char* env = std::getenv("MXSERVE_DEBUG_PASSES");
  bool debug = env != nullptr && env[0] == '1';
  if (debug) PrintOpCounts("before", ctx.graph);
  FoldConstants(ctx);
  FoldBatchNorm(ctx);
  FuseConvolution(ctx);
  FuseFullyConnected(ctx);
  FuseDepthwise(ctx);
  if (debug) PrintOpCounts("after", ctx.graph);
}

}  // namespace mxserve
