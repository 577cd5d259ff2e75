// SPDX-License-Identifier: Apache-2.0
#include "passes/pass.h"

#include <cstdio>
#include <cstdlib>

#include "graph/op_def.h"

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
