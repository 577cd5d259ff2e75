// SPDX-License-Identifier: Apache-2.0
#include "ops/registry.h"

#include <algorithm>

#include "base/error.h"
#include "graph/upgrade.h"

namespace mxserve {

#define MXS_OP_FILE(file) void RegisterOps_##file(OpRegistry& r);
#include "op_registry.inc"
#undef MXS_OP_FILE

OpRegistry::OpRegistry() {
#define MXS_OP_FILE(file) RegisterOps_##file(*this);
#include "op_registry.inc"
#undef MXS_OP_FILE
  Index();
}

const OpRegistry& OpRegistry::Global() {
  static const OpRegistry registry;
  return registry;
}

OpDef& OpRegistry::Add(const std::string& name) {
  defs_.push_back(std::make_unique<OpDef>(name));
  return *defs_.back();
}

void OpRegistry::Index() {
  for (const auto& d : defs_) {
    MXS_CHECK_CODE(by_name_.emplace(d->name(), d.get()).second, kInternal)
        << "operator " << d->name() << " is registered twice";
    for (const auto& a : d->aliases())
      MXS_CHECK_CODE(by_name_.emplace(a, d.get()).second, kInternal)
          << "alias " << a << " of " << d->name() << " is registered twice";
  }
}

const OpDef* OpRegistry::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<const OpDef*> OpRegistry::Defs() const {
  std::vector<const OpDef*> out;
  for (const auto& d : defs_) out.push_back(d.get());
  std::sort(out.begin(), out.end(), [](const OpDef* a, const OpDef* b) { return a->name() < b->name(); });
  return out;
}

std::vector<std::string> OpRegistry::Names() const {
  std::vector<std::string> out;
  for (const OpDef* d : Defs()) out.push_back(d->name());
  return out;
}

void ResolveOps(Graph& g) {
  const OpRegistry& reg = OpRegistry::Global();
  for (Node& n : g.nodes) {
    // Variables created implicitly by an operator carry a copy of its attributes; they mean
    // nothing for a variable.
    if (n.is_variable()) continue;
    const OpDef* def = reg.Find(n.op);
    if (def == nullptr) {
      std::string list;
      for (const auto& name : reg.Names()) list += (list.empty() ? "" : ", ") + name;
      MXS_THROW(kUnsupported) << "failed to load " << n.op << " node '" << n.name
                              << "': operator '" << n.op << "' is not supported; supported operators: "
                              << list;
    }
    n.def = def;
    try {
      n.param = def->Parse(n.attrs);
      n.num_outputs = def->NumOutputs(n.param.get());
    } catch (const Error& e) {
      throw Error(e.code(), "failed to parse " + n.op + " node '" + n.name + "': " + e.what());
    }
  }
  AddMissingInputs(g);
  for (const Node& n : g.nodes) {
    if (n.is_variable()) continue;
    int expected = n.def->NumInputs(n.param.get());
    MXS_CHECK(static_cast<int>(n.inputs.size()) == expected)
        << "failed to load " << n.op << " node '" << n.name << "': it has " << n.inputs.size()
        << " inputs, the operator takes " << expected;
    for (const NodeEntry& e : n.inputs)
      MXS_CHECK(int64_t{e.index} < g.nodes[e.node].num_outputs)
          << "failed to load " << n.op << " node '" << n.name << "': input refers to output "
          << e.index << " of node '" << g.nodes[e.node].name << "', which has "
          << g.nodes[e.node].num_outputs << " outputs";
  }
  for (const NodeEntry& e : g.outputs)
    MXS_CHECK(int64_t{e.index} < g.nodes[e.node].num_outputs)
        << "symbol JSON: graph output refers to output " << e.index << " of node '"
        << g.nodes[e.node].name << "', which has " << g.nodes[e.node].num_outputs << " outputs";
}

}  // namespace mxserve
