// SPDX-License-Identifier: Apache-2.0
// The operator registry. Its contents come from the mxs_add_op() lines in ops/CMakeLists.txt:
// CMake writes op_registry.inc and each listed ops/<file>.cc defines RegisterOps_<file>().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/op_def.h"

namespace mxserve {

class OpRegistry {
 public:
  /// The process-wide registry, filled on first use.
  static const OpRegistry& Global();

  /// Looks an operator up by its name or one of its aliases; null if absent.
  const OpDef* Find(const std::string& name) const;
  /// Canonical names of every registered operator, sorted.
  std::vector<std::string> Names() const;
  /// Every registered OpDef, sorted by name.
  std::vector<const OpDef*> Defs() const;

  /// Adds an operator; used only by RegisterOps_* functions.
  OpDef& Add(const std::string& name);

 private:
  OpRegistry();
  void Index();
  std::vector<std::unique_ptr<OpDef>> defs_;
  std::map<std::string, const OpDef*> by_name_;
};

/// Resolves every node's operator, parses its attributes and fills num_outputs; applies the
/// legacy upgrades that need operator knowledge. Throws kUnsupported for an unknown operator
/// (naming the node and listing the supported ones) and kInvalidArgument for bad attributes.
void ResolveOps(Graph& g);

}  // namespace mxserve

/// Defines the registration function of one ops/<file>.cc: MXS_REGISTER_OPS(file) { r.Add(...); }
#define MXS_REGISTER_OPS(file) void RegisterOps_##file(::mxserve::OpRegistry& r)
