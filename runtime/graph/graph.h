// SPDX-License-Identifier: Apache-2.0
// The graph IR: MXNet's NNVM graph as read from symbol JSON. Nodes are stored in topological
// order (every input refers to an earlier node); variables (op "null") are inputs or parameters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mxserve {

class OpDef;

/// Operator attributes as strings, exactly as written in the JSON.
using AttrMap = std::map<std::string, std::string>;

/// One output of one node.
struct NodeEntry {
  uint32_t node = 0;   ///< index into Graph::nodes
  uint32_t index = 0;  ///< which output of that node
  bool operator==(const NodeEntry& o) const { return node == o.node && index == o.index; }
  bool operator<(const NodeEntry& o) const {
    return node < o.node || (node == o.node && index < o.index);
  }
};

struct Node {
  std::string name;                    ///< node name, unique in practice but not required to be
  std::string op;                      ///< MXNet operator name as written ("null" for variables)
  AttrMap attrs;                       ///< operator attributes (hidden keys removed)
  AttrMap hidden;                      ///< hidden attributes such as __shape__, __dtype__, __init__
  std::vector<NodeEntry> inputs;       ///< producers of this node's inputs
  const OpDef* def = nullptr;          ///< resolved operator, null for variables
  std::shared_ptr<const void> param;   ///< parsed attributes (the op's Param struct)
  int num_outputs = 1;                 ///< number of outputs, from the OpDef

  bool is_variable() const { return op == "null"; }
};

struct Graph {
  std::vector<Node> nodes;             ///< topological order
  std::vector<NodeEntry> outputs;      ///< the graph's heads, in order
  int mxnet_version = 800;             ///< MXNET_MAKE_VERSION of the writer (0.8.0 if absent)
  bool np_shape = false;               ///< written by MXNet 2.0 with numpy shape semantics
};

/// Name MXNet gives output `index` of `node`: "<name>_output" or "<name>_output<index>".
std::string EntryName(const Graph& g, const NodeEntry& e);

/// Nodes that `roots` depend on (themselves included), by node index.
std::vector<bool> LiveNodes(const Graph& g, const std::vector<NodeEntry>& roots);

/// How error messages name a node: "<op> node '<name>'", with the op as written in the JSON.
std::string NodeDesc(const Node& n);

}  // namespace mxserve

namespace mxserve {

/// Dense numbering of node outputs: entry id = offsets[node] + index.
struct EntryIds {
  std::vector<uint32_t> offsets;  ///< first entry id of each node
  uint32_t count = 0;             ///< number of entries
  explicit EntryIds(const Graph& g);
  uint32_t operator()(const NodeEntry& e) const { return offsets[e.node] + e.index; }
};

}  // namespace mxserve
