// SPDX-License-Identifier: Apache-2.0
// BuildPlan: from a Model and BindOptions to an executable Plan.
//
//  1. outputs: the graph heads, or the entries named in options.outputs;
//  2. float16 graphs become float32 graphs with casts at their inputs and outputs
//     (exec/float16.cc); passes (runtime/passes/) rewrite the plan's copy of the graph, e.g.
//     folding BatchNorm; liveness then keeps only nodes the outputs depend on (dead-node
//     elimination);
//  3. variables: each live variable is an input (named in input_shapes), a parameter (found in
//     the params file) or an unused label; anything else is an error naming the consumer;
//  4. shape and dtype inference, which also checks every parameter's shape, then the choice of
//     channels-last or row-major layout per entry (exec/layout.cc);
//  5. storage: identity ops alias their input; an op that allows it writes in place into an
//     input that dies there; every other entry gets an arena slot from the memory planner;
//  6. kernels, created by the backend with typed params and the bound weights.
#include "exec/plan.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>

#include "base/error.h"
#include "exec/float16.h"
#include "exec/layout.h"
#include "exec/memory_planner.h"
#include "exec/precision.h"
#include "graph/infer_shape.h"
#include "graph/op_def.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

std::vector<NodeEntry> SelectOutputs(const Graph& g, const std::vector<std::string>& names) {
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
            list += (list.empty() ? "" : ", ") + EntryName(g, NodeEntry{i, static_cast<uint32_t>(k)});
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

// Variables bound and every entry's shape and dtype inferred, for one version of the graph.
struct Bound {
  std::vector<bool> live;               ///< nodes the outputs depend on
  EntryIds ids;                         ///< entry numbering
  std::vector<Shape> shapes;            ///< per entry
  std::vector<DType> dtypes;            ///< per entry
  std::vector<EntrySlot> slots;         ///< per entry; variables filled in
  std::vector<uint32_t> input_entries;  ///< entry of each caller input
};

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
    MXS_THROW(kNotFound) << "failed to bind: '" << kv.first << "' is not an input of the graph; inputs: "
                         << (list.empty() ? "(none)" : list);
  }
  b.shapes.resize(ids.count);
  b.dtypes.assign(ids.count, DType::kUnknown);
  b.slots.resize(ids.count);
  std::map<std::string, int> input_index;
  for (size_t i = 0; i < opt.input_shapes.size(); ++i) input_index[opt.input_shapes[i].first] = static_cast<int>(i);
  b.input_entries.assign(opt.input_shapes.size(), UINT32_MAX);
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!n.is_variable()) continue;
    uint32_t e = ids.offsets[i];
    EntrySlot& slot = b.slots[e];
    auto in = given.find(n.name);
    if (in != given.end()) {
      MXS_CHECK(in->second.complete()) << "failed to bind: input '" << n.name << "' has incomplete shape "
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

}  // namespace

std::unique_ptr<Plan> BuildPlan(std::shared_ptr<const Model> model, const BindOptions& opt) {
  auto plan = std::make_unique<Plan>();
  plan->model = model;
  plan->graph = model->graph;
  const Graph& g = plan->graph;
  MXS_CHECK_CODE(opt.device == "cpu" || opt.device == "cpu(0)", kUnsupported)
      << "failed to bind: device '" << opt.device << "' is not available in this build (cpu only)";
  plan->backend = &CpuBackend();
  std::vector<NodeEntry> outputs = SelectOutputs(g, opt.outputs);
  {
    // Errors are reported against the graph as written; passes then see its shapes.
    Bound before = BindAndInfer(g, outputs, opt, *model, plan->overrides);
    if (WidenFloat16(plan->graph, outputs, before.dtypes, model->params, plan->overrides, *model->weights))
      before = BindAndInfer(g, outputs, opt, *model, plan->overrides);
    std::set<NodeEntry> keep(outputs.begin(), outputs.end());
    std::set<std::string> input_names;
    for (const auto& kv : opt.input_shapes) input_names.insert(kv.first);
    PassContext ctx{plan->graph, keep, input_names, model->params, plan->overrides, *model->weights,
                    before.ids, before.shapes, before.dtypes};
    ResolveQuantizedRanges(ctx);
    if (opt.optimize) RunPasses(ctx);
  }
  Bound bound = BindAndInfer(g, outputs, opt, *model, plan->overrides);
  const EntryIds& ids = bound.ids;
  const std::vector<Shape>& shapes = bound.shapes;
  const std::vector<DType>& dtypes = bound.dtypes;
  plan->slots = bound.slots;
  plan->entries.resize(ids.count);
  for (uint32_t e = 0; e < ids.count; ++e) {
    plan->entries[e].shape = shapes[e];
    plan->entries[e].dtype = dtypes[e];
  }
  plan->inputs.resize(opt.input_shapes.size());
  for (size_t i = 0; i < bound.input_entries.size(); ++i) {
    uint32_t e = bound.input_entries[i];
    plan->inputs[i] = TensorInfo{opt.input_shapes[i].first, shapes[e], dtypes[e]};
  }
  const std::vector<bool>& live = bound.live;

  // Steps and storage.
  std::vector<int> last_use(ids.count, -1);
  std::vector<int> first_def(ids.count, -1);
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.is_variable() || !live[i]) continue;
    int s = static_cast<int>(plan->steps.size());
    Step step;
    step.node = i;
    for (const NodeEntry& in : n.inputs) {
      step.in.push_back(ids(in));
      last_use[ids(in)] = s;
    }
    for (int k = 0; k < n.num_outputs; ++k) {
      step.out.push_back(ids.offsets[i] + k);
      first_def[ids.offsets[i] + k] = s;
    }
    plan->max_arity = std::max({plan->max_arity, step.in.size(), step.out.size()});
    plan->steps.push_back(std::move(step));
  }
  int num_steps = static_cast<int>(plan->steps.size());
  for (const NodeEntry& o : outputs) {
    last_use[ids(o)] = num_steps;
    plan->output_entries.push_back(ids(o));
    plan->outputs.push_back(TensorInfo{EntryName(g, o), shapes[ids(o)], dtypes[ids(o)]});
  }

  if (opt.optimize) AssignLayouts(*plan);
  if (opt.compute_dtype == DType::kBfloat16) {
    MXS_CHECK_CODE(plan->backend->SupportsBfloat16(), kUnsupported)
        << "failed to bind: bfloat16 mode needs a CPU with AVX512-BF16 or AMX; this one has neither";
  } else {
    MXS_CHECK_CODE(opt.compute_dtype == DType::kFloat32, kUnsupported)
        << "failed to bind: compute dtype " << DTypeName(opt.compute_dtype)
        << " is not supported (float32 or bfloat16)";
  }
  if (opt.optimize) AssignPrecision(*plan, opt.compute_dtype);

  // Storage groups: root[e] is the entry whose storage e uses.
  std::vector<uint32_t> root(ids.count);
  std::iota(root.begin(), root.end(), 0);
  std::vector<int> group_last(last_use);
  for (Step& step : plan->steps) {
    const Node& n = g.nodes[step.node];
    const OpDef& def = *n.def;
    if (def.is_identity() && plan->entries[step.in[0]].nbytes() == plan->entries[step.out[0]].nbytes()) {
      uint32_t r = root[step.in[0]];
      root[step.out[0]] = r;
      group_last[r] = std::max(group_last[r], last_use[step.out[0]]);
      continue;
    }
    for (const auto& io : def.InplacePairs(n.param.get())) {
      uint32_t in_e = step.in[io.first], out_e = step.out[io.second];
      uint32_t r = root[in_e];
      int s = static_cast<int>(&step - plan->steps.data());
      bool arena_root = plan->slots[r].kind == EntrySlot::Kind::kNone && first_def[r] >= 0;
      if (!arena_root || group_last[r] != s || root[out_e] != out_e) continue;
      if (plan->entries[in_e].nbytes() != plan->entries[out_e].nbytes()) continue;
      if (plan->entries[in_e].layout != plan->entries[out_e].layout) continue;
      // Writing the output over storage that another input of the same step still reads would
      // corrupt it (a convolution reading x and accumulating into x), so that case is skipped.
      bool shared = false;
      for (size_t k = 0; k < step.in.size(); ++k)
        if (static_cast<int>(k) != io.first && root[step.in[k]] == r) shared = true;
      if (shared) continue;
      root[out_e] = r;
      group_last[r] = std::max(group_last[r], last_use[out_e]);
    }
  }

  // Arena placement for group roots produced by steps.
  std::vector<UsageRecord> records;
  std::vector<uint32_t> record_entry;
  for (uint32_t e = 0; e < ids.count; ++e) {
    if (root[e] != e || first_def[e] < 0) continue;
    UsageRecord r;
    r.first_step = first_def[e];
    r.last_step = std::max(group_last[e], first_def[e]);
    r.bytes = plan->entries[e].nbytes();
    for (uint32_t m = 0; m < ids.count; ++m)
      if (root[m] == e) r.bytes = std::max(r.bytes, plan->entries[m].nbytes());
    records.push_back(r);
    record_entry.push_back(e);
  }
  plan->arena_bytes = PlanMemory(records);
  for (size_t k = 0; k < records.size(); ++k) {
    EntrySlot& slot = plan->slots[record_entry[k]];
    slot.kind = EntrySlot::Kind::kArena;
    slot.offset = records[k].offset;
  }
  for (uint32_t e = 0; e < ids.count; ++e) {
    if (root[e] == e) continue;
    EntrySlot& slot = plan->slots[e];
    slot.kind = EntrySlot::Kind::kAlias;
    slot.index = static_cast<int>(root[e]);
    plan->alias_entries.push_back(e);
  }

  // Kernels.
  for (Step& step : plan->steps) {
    const Node& n = g.nodes[step.node];
    if (n.def->is_identity() && root[step.out[0]] != step.out[0]) continue;
    KernelArgs args{n, {}, {}, {}, model->weights.get(), opt.compute_dtype};
    for (uint32_t e : step.in) {
      args.in.push_back(plan->entries[e]);
      args.constants.push_back(plan->slots[e].kind == EntrySlot::Kind::kParam ? plan->slots[e].param : nullptr);
    }
    for (uint32_t e : step.out) args.out.push_back(plan->entries[e]);
    try {
      step.kernel = plan->backend->CreateKernel(args);
    } catch (const Error& err) {
      if (std::string(err.what()).rfind("failed to", 0) == 0) throw;
      throw Error(err.code(), "failed to plan " + n.op + " node '" + n.name + "': " + err.what());
    }
    plan->scratchpad_bytes = std::max(plan->scratchpad_bytes, step.kernel->ScratchpadBytes());
  }
  return plan;
}

}  // namespace mxserve
