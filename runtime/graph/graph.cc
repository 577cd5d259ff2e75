// SPDX-License-Identifier: Apache-2.0
#include "graph/graph.h"

namespace mxserve {

std::string EntryName(const Graph& g, const NodeEntry& e) {
  const Node& n = g.nodes[e.node];
  if (n.is_variable()) return n.name;
  if (n.num_outputs == 1) return n.name + "_output";
  return n.name + "_output" + std::to_string(e.index);
}

std::vector<bool> LiveNodes(const Graph& g, const std::vector<NodeEntry>& roots) {
  std::vector<bool> live(g.nodes.size(), false);
  for (const NodeEntry& e : roots) live[e.node] = true;
  // Inputs always come before their consumers, so one backward sweep suffices.
  for (size_t i = g.nodes.size(); i-- > 0;) {
    if (!live[i]) continue;
    for (const NodeEntry& e : g.nodes[i].inputs) live[e.node] = true;
  }
  return live;
}

std::string NodeDesc(const Node& n) { return n.op + " node '" + n.name + "'"; }

}  // namespace mxserve

namespace mxserve {

EntryIds::EntryIds(const Graph& g) {
  offsets.resize(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    offsets[i] = count;
    count += static_cast<uint32_t>(g.nodes[i].num_outputs);
  }
}

}  // namespace mxserve
