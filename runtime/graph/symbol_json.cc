// SPDX-License-Identifier: Apache-2.0
// Symbol JSON reader.
//
// MXNet writes {"nodes": [...], "arg_nodes": [...], "node_row_ptr": [...], "heads": [...],
// "attrs": {"mxnet_version": ["int", 10901]}}. Each node is {"op", "name", "inputs", "attrs"};
// writers before 0.9 used "param" for operator attributes and "attr" for the rest, and bare
// hidden keys ("lr_mult") instead of "__lr_mult__". Keys this reader does not use are either on
// the ignore list below or rejected, so a format change shows up as an error rather than as a
// silently different graph.
#include "graph/symbol_json.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace mxserve {

namespace {

using nlohmann::json;

// Hidden attribute names that MXNet before 0.9 wrote without the surrounding underscores
// (legacy_json_util.cc kHiddenKeys). They are matched as a prefix or a suffix of the key.
const char* const kLegacyHiddenKeys[] = {"ctx_group", "lr_mult", "wd_mult", "force_mirroring",
                                         "mirror_stage"};

bool IsHiddenKey(const std::string& key) {
  if (key.size() > 4 && key.compare(0, 2, "__") == 0 && key.compare(key.size() - 2, 2, "__") == 0)
    return true;
  for (const char* h : kLegacyHiddenKeys) {
    std::string k(h);
    size_t pos = key.rfind(k);
    if (pos == 0 || (pos != std::string::npos && pos == key.size() - k.size())) return true;
  }
  return false;
}

// MXNet's symbol JSON nests at most about five levels ({"nodes": [{"inputs": [[0, 0, 0]]}]});
// deeper documents are rejected before nlohmann-json builds (and later dumps or destroys) a
// tree, whose recursive walks would otherwise overflow the stack on a hostile file.
constexpr int kMaxSymbolJsonDepth = 64;

// Throws unless every array/object in `text` nests at most kMaxSymbolJsonDepth levels. Brackets
// inside strings do not count; the scan is linear and needs no memory.
void CheckJsonDepth(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      MXS_CHECK(++depth <= kMaxSymbolJsonDepth)
          << "symbol JSON nests arrays/objects deeper than the limit of " << kMaxSymbolJsonDepth
          << " levels (at byte " << i << ")";
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

NodeEntry ReadEntry(const json& j, size_t num_nodes, const std::string& where) {
  MXS_CHECK(j.is_array() && (j.size() == 2 || j.size() == 3))
      << "symbol JSON: " << where << ": an entry must be [node, index] or [node, index, version], got "
      << j.dump();
  for (const auto& v : j)
    MXS_CHECK(v.is_number_integer() && v.get<int64_t>() >= 0)
        << "symbol JSON: " << where << ": entry " << j.dump() << " holds a non-integer or negative value";
  int64_t node = j[0].get<int64_t>();
  MXS_CHECK(static_cast<size_t>(node) < num_nodes)
      << "symbol JSON: " << where << ": entry refers to node " << node << " but there are only "
      << num_nodes << " nodes";
  // An operator has a handful of outputs; an index past int32 would wrap in the checks against
  // the node's output count (ResolveOps) and in the entry numbering.
  int64_t index = j[1].get<int64_t>();
  MXS_CHECK(index <= std::numeric_limits<int32_t>::max())
      << "symbol JSON: " << where << ": entry " << j.dump() << " refers to output " << index
      << ", out of range";
  return NodeEntry{static_cast<uint32_t>(node), static_cast<uint32_t>(index)};
}

// `overwrite` is false for the legacy "param" object: nnvm's reader inserts it after reading
// "attrs"/"attr", so on a clash the "attr" value wins whatever the key order in the file.
void ReadAttrObject(const json& j, const std::string& where, bool overwrite, Node& node) {
  MXS_CHECK(j.is_object()) << "symbol JSON: " << where << ": attributes must be an object";
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string value;
    if (it.value().is_string()) {
      value = it.value().get<std::string>();
    } else {
      value = it.value().dump();  // some writers store numbers unquoted
    }
    AttrMap* target = &node.attrs;
    std::string key = it.key();
    if (IsHiddenKey(key)) {
      if (key.compare(0, 2, "__") != 0) key = "__" + key + "__";
      target = &node.hidden;
    }
    if (overwrite) {
      (*target)[key] = value;
    } else {
      target->emplace(key, value);
    }
  }
}

Node ReadNode(const json& j, size_t index, size_t num_nodes) {
  std::string where = "node #" + std::to_string(index);
  MXS_CHECK(j.is_object()) << "symbol JSON: " << where << " is not an object";
  Node node;
  bool has_op = false, has_name = false, has_inputs = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "op") {
      MXS_CHECK(it.value().is_string()) << "symbol JSON: " << where << ": 'op' must be a string";
      node.op = it.value().get<std::string>();
      has_op = true;
    } else if (key == "name") {
      MXS_CHECK(it.value().is_string()) << "symbol JSON: " << where << ": 'name' must be a string";
      node.name = it.value().get<std::string>();
      where += " '" + node.name + "'";
      has_name = true;
    }
  }
  MXS_CHECK(has_op) << "symbol JSON: " << where << " has no 'op' key";
  MXS_CHECK(has_name) << "symbol JSON: " << where << " has no 'name' key";
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "op" || key == "name") continue;
    if (key == "inputs") {
      has_inputs = true;
      MXS_CHECK(it.value().is_array()) << "symbol JSON: " << where << ": 'inputs' must be an array";
      for (const auto& e : it.value()) {
        NodeEntry entry = ReadEntry(e, num_nodes, where);
        MXS_CHECK(entry.node < index)
            << "symbol JSON: " << where << " takes input from node #" << entry.node
            << ", which does not come before it: the graph has a cycle or is not in topological order";
        node.inputs.push_back(entry);
      }
    } else if (key == "attrs" || key == "attr") {
      ReadAttrObject(it.value(), where, /*overwrite=*/true, node);
    } else if (key == "param") {
      // read below, after "attrs"/"attr"
    } else if (key == "control_deps" || key == "backward_source_id") {
      // Scheduling hints for training; they do not change what inference computes.
    } else if (key == "subgraphs") {
      // MXNet's MKLDNN subgraph nodes (_sg_mkldnn_conv, _sg_mkldnn_fully_connected) describe the
      // fused operators in one nested symbol; their ops parse it from this attribute.
      const bool empty = it.value().is_array() && it.value().empty();
      const bool mkldnn = node.op.compare(0, 11, "_sg_mkldnn_") == 0;
      MXS_CHECK_CODE(empty || (mkldnn && it.value().is_array() && it.value().size() == 1), kUnsupported)
          << "symbol JSON: " << where << " holds subgraphs (control flow or a partitioned backend "
          << "graph), which mxserve does not run";
      if (!empty) node.attrs[kSubgraphAttr] = it.value()[0].dump();
    } else {
      MXS_THROW(kInvalidArgument) << "symbol JSON: " << where << " has unknown key '" << key << "'";
    }
  }
  if (j.contains("param")) ReadAttrObject(j["param"], where, /*overwrite=*/false, node);
  // MXNet requires "inputs" on every node; without it an operator node would silently get
  // variables for all its inputs from the legacy upgrade.
  MXS_CHECK(node.is_variable() || has_inputs) << "symbol JSON: " << where << " has no 'inputs' key";
  MXS_CHECK(!node.is_variable() || node.inputs.empty())
      << "symbol JSON: variable " << where << " must not have inputs";
  return node;
}

}  // namespace

Graph ReadSymbolJson(const std::string& text) {
  CheckJsonDepth(text);
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    MXS_THROW(kInvalidArgument) << "symbol JSON is malformed: " << e.what();
  }
  MXS_CHECK(root.is_object()) << "symbol JSON: the top level must be an object";
  Graph g;
  const json* nodes = nullptr;
  const json* heads = nullptr;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string& key = it.key();
    if (key == "nodes") {
      nodes = &it.value();
    } else if (key == "heads") {
      heads = &it.value();
    } else if (key == "attrs") {
      MXS_CHECK(it.value().is_object()) << "symbol JSON: 'attrs' must be an object";
      for (auto a = it.value().begin(); a != it.value().end(); ++a) {
        // Graph attributes are written as [type, value].
        const json& v = a.value();
        bool int_pair = v.is_array() && v.size() == 2 && v[1].is_number_integer();
        if (a.key() == "mxnet_version") {
          MXS_CHECK(int_pair) << "symbol JSON: 'mxnet_version' must be [\"int\", N]";
          g.mxnet_version = v[1].get<int>();
        } else if (a.key() == "is_np_shape") {
          MXS_CHECK(int_pair) << "symbol JSON: 'is_np_shape' must be [\"int\", 0|1]";
          g.np_shape = v[1].get<int>() != 0;
        }
      }
    } else if (key == "arg_nodes" || key == "node_row_ptr") {
      // Derived data: arguments are the variables and row pointers follow from num_outputs.
    } else {
      MXS_THROW(kInvalidArgument) << "symbol JSON: unknown top-level key '" << key << "'";
    }
  }
  MXS_CHECK(nodes != nullptr && nodes->is_array()) << "symbol JSON: missing 'nodes' array";
  MXS_CHECK(heads != nullptr && heads->is_array()) << "symbol JSON: missing 'heads' array";
  MXS_CHECK(!nodes->empty()) << "symbol JSON: the graph has no nodes";
  g.nodes.reserve(nodes->size());
  for (size_t i = 0; i < nodes->size(); ++i) g.nodes.push_back(ReadNode((*nodes)[i], i, nodes->size()));
  MXS_CHECK(!heads->empty()) << "symbol JSON: the graph has no outputs ('heads' is empty)";
  for (const auto& h : *heads) g.outputs.push_back(ReadEntry(h, g.nodes.size(), "heads"));
  return g;
}

}  // namespace mxserve
