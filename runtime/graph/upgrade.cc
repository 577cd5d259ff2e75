// SPDX-License-Identifier: Apache-2.0
#include "graph/upgrade.h"

#include <vector>

#include "graph/op_def.h"

namespace mxserve {

void AddMissingInputs(Graph& g) {
  bool needed = false;
  for (const Node& n : g.nodes)
    if (!n.is_variable() && static_cast<int>(n.inputs.size()) < n.def->NumInputs(n.param.get()))
      needed = true;
  if (!needed) return;
  std::vector<Node> nodes;
  std::vector<uint32_t> remap(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node n = std::move(g.nodes[i]);
    for (NodeEntry& e : n.inputs) e.node = remap[e.node];
    if (!n.is_variable()) {
      int want = n.def->NumInputs(n.param.get());
      std::vector<std::string> names = n.def->InputNames(n.param.get());
      for (int k = static_cast<int>(n.inputs.size()); k < want; ++k) {
        Node var;
        var.op = "null";
        var.name = n.name + "_" + (k < static_cast<int>(names.size()) ? names[k] : std::to_string(k));
        nodes.push_back(std::move(var));
        n.inputs.push_back(NodeEntry{static_cast<uint32_t>(nodes.size() - 1), 0});
      }
    }
    remap[i] = static_cast<uint32_t>(nodes.size());
    nodes.push_back(std::move(n));
  }
  for (NodeEntry& e : g.outputs) e.node = remap[e.node];
  g.nodes = std::move(nodes);
}

}  // namespace mxserve
