// SPDX-License-Identifier: Apache-2.0
// BuildPlan's binding stages: output selection, and liveness, variable binding and inference.
#include <algorithm>
#include <map>

#include "base/error.h"
#include "exec/plan_build.h"
#include "graph/infer_shape.h"
#include "graph/op_def.h"

namespace mxserve {

namespace {

std::vector<NodeEntry> SelectEntries(const Graph& g, const std::vector<std::string>& names) {
  if (names.empty()) return g.outputs;
  std::vector<NodeEntry> out;
  for (const std::string& want : names) {
    bool found = false;
    for (uint32_t i = 0; i < g.nodes.size() && !found; ++i) {
      const Node& n = g.nodes[i];
      for (int k = 0; k < n.num_outputs && !found; ++k) {
        NodeEntry e{i, static_cast<uint32_t>(k)};
        if (EntryName(g, e) == want || (n.num_outputs == 1 && n.name == want)) {
          out.push_back(e);
          found = true;
        }
      }
    }
    if (!found) {
      std::string list;
      for (uint32_t i = 0; i < g.nodes.size(); ++i)
        if (!g.nodes[i].is_variable())
          for (int k = 0; k < g.nodes[i].num_outputs; ++k)
            list += (list.empty() ? "" : ", ") +
                    EntryName(g, NodeEntry{i, static_cast<uint32_t>(k)});
      MXS_THROW(kNotFound) << "failed to bind: requested output '" << want
                           << "' is not an entry of the graph; entries: " << list;
    }
  }
  return out;
}

DType VariableDType(const Node& n, const BindOptions& opt) {
  auto it = opt.input_dtypes.find(n.name);
  if (it != opt.input_dtypes.end()) return it->second;
  auto h = n.hidden.find("__dtype__");
  if (h != n.hidden.end()) {
    DType d = DTypeFromName(h->second);
    if (d != DType::kUnknown) return d;
  }
  return DType::kFloat32;
}

// True if every live consumer of variable `v` reads it only through an unused input.
bool OnlyUnusedConsumers(const Graph& g, const std::vector<bool>& live, uint32_t v,
                         std::string* consumer) {
  for (uint32_t i = v + 1; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!live[i] || n.is_variable()) continue;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (n.inputs[k].node != v) continue;
      const auto& unused = n.def->unused_inputs();
      if (std::find(unused.begin(), unused.end(), static_cast<int>(k)) == unused.end()) {
        *consumer = NodeDesc(n);
        return false;
      }
    }
  }
  return true;
}

}  // namespace

Bound BindAndInfer(const Graph& g, const std::vector<NodeEntry>& outputs, const BindOptions& opt,
                   const Model& model, const std::map<uint32_t, NDArray>& overrides) {
  Bound b{LiveNodes(g, outputs), EntryIds(g), {}, {}, {}, {}};
  const EntryIds& ids = b.ids;
  std::map<std::string, Shape> given(opt.input_shapes.begin(), opt.input_shapes.end());
  MXS_CHECK(given.size() == opt.input_shapes.size()) << "failed to bind: an input is named twice";
  for (const auto& kv : given) {
    bool is_var = false;
    for (const Node& n : g.nodes) is_var = is_var || (n.is_variable() && n.name == kv.first);
    if (is_var) continue;
    std::string list;
    for (uint32_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].is_variable() && b.live[i] && !model.params.count(g.nodes[i].name))
        list += (list.empty() ? "" : ", ") + g.nodes[i].name;
    MXS_THROW(kNotFound) << "failed to bind: '" << kv.first
                         << "' is not an input of the graph; inputs: "
                         << (list.empty() ? "(none)" : list);
  }
  b.shapes.resize(ids.count);
  b.dtypes.assign(ids.count, DType::kUnknown);
  b.slots.resize(ids.count);
  std::map<std::string, int> input_index;
  for (size_t i = 0; i < opt.input_shapes.size(); ++i)
    input_index[opt.input_shapes[i].first] = static_cast<int>(i);
  b.input_entries.assign(opt.input_shapes.size(), UINT32_MAX);
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!n.is_variable()) continue;
    uint32_t e = ids.offsets[i];
    EntrySlot& slot = b.slots[e];
    auto in = given.find(n.name);
    if (in != given.end()) {
      MXS_CHECK(in->second.complete()) << "failed to bind: input '" << n.name
                                       << "' has incomplete shape "
                                      << in->second.ToString();
      b.shapes[e] = in->second;
      b.dtypes[e] = VariableDType(n, opt);
      slot.kind = EntrySlot::Kind::kInput;
      slot.index = input_index[n.name];
      b.input_entries[slot.index] = e;
      continue;
    }
    if (!b.live[i]) continue;
    const NDArray* value = nullptr;
    auto ov = overrides.find(i);
    if (ov != overrides.end()) {
      value = &ov->second;
    } else {
      auto p = model.params.find(n.name);
      if (p != model.params.end()) value = &p->second;
    }
    if (value != nullptr) {
      b.shapes[e] = value->shape;
      b.dtypes[e] = value->dtype;
      slot.kind = EntrySlot::Kind::kParam;
      slot.param = value;
      continue;
    }
    std::string consumer;
    if (OnlyUnusedConsumers(g, b.live, i, &consumer)) {
      slot.kind = EntrySlot::Kind::kNone;
      b.dtypes[e] = VariableDType(n, opt);
      continue;
    }
    MXS_THROW(kInvalidArgument) << "failed to bind: '" << n.name << "' (read by " << consumer
                                << ") is neither an input given in input_shapes nor a parameter in "
                                << "the params file";
  }
  InferShapes(g, b.live, b.shapes);
  InferTypes(g, b.live, b.dtypes);
  return b;
}

void SelectOutputs(PlanBuild& b) { b.outputs = SelectEntries(b.plan.graph, b.opt.outputs); }

}  // namespace mxserve
