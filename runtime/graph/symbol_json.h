// SPDX-License-Identifier: Apache-2.0
// Strict reader for MXNet symbol JSON (NNVM graph format, MXNet 0.8 to 2.0).
#pragma once

#include <string>

#include "graph/graph.h"

namespace mxserve {

/// Attribute under which the reader stores the nested symbol JSON of an MXNet MKLDNN subgraph
/// node (its "subgraphs" key), for the operator to parse with ReadSymbolJson.
constexpr const char* kSubgraphAttr = "__subgraph__";

/// Parses symbol JSON text into a Graph with unresolved operators (Node::def is null).
/// Throws kInvalidArgument naming the node and key when the text is malformed, when a key is
/// missing or unknown, when an input refers to a later node (a cycle), or when an index is out
/// of range.
Graph ReadSymbolJson(const std::string& text);

}  // namespace mxserve
