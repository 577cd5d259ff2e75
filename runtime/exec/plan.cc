// SPDX-License-Identifier: Apache-2.0
// BuildPlan: from a Model and BindOptions to an executable Plan, as a table of stages
// (exec/plan_build.h), each reading and extending the PlanBuild state:
//
//  select backend -> select outputs -> run passes -> bind (prune, variables, inference)
//  -> list steps -> assign layouts -> assign precision -> group storage -> create kernels
//  -> plan arena -> place parameters
#include "exec/plan.h"

#include <algorithm>
#include <set>

#include "backends/backend_table.h"
#include "base/error.h"
#include "exec/compute_dtype.h"
#include "exec/float16.h"
#include "exec/layout.h"
#include "exec/plan_build.h"
#include "exec/precision.h"
#include "graph/op_def.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

struct Stage {
  const char* name;  ///< what the stage does, for reading the table
  void (*run)(PlanBuild&);
};

constexpr Stage kStages[] = {
    {"select backend", SelectBackend},
    {"select outputs", SelectOutputs},
    {"run passes", RunGraphPasses},
    {"bind: prune, variables, shapes and dtypes", BindGraph},
    {"list steps", ListSteps},
    {"assign layouts", AssignLayoutStage},
    {"assign precision", AssignPrecisionStage},
    {"group storage", GroupStorage},
    {"create kernels", CreateKernels},
    {"plan arena", PlanArena},
    {"place parameters", PlaceParameters},
};

}  // namespace

const Backend& BindBackend(const Device& device) {
  try {
    return BackendFor(device);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("failed to bind: ") + e.what());
  }
}

void SelectBackend(PlanBuild& b) {
  b.plan.backend = &BindBackend(b.opt.device);
  CheckComputeDType(*b.plan.backend, b.opt.compute_dtype);
}

void RunGraphPasses(PlanBuild& b) {
  Plan& plan = b.plan;
  const Model& model = b.model;
  // Errors are reported against the graph as written; passes then see its shapes.
  Bound before = BindAndInfer(plan.graph, b.outputs, b.opt, model, plan.overrides);
  if (WidenFloat16(plan.graph, b.outputs, before.dtypes, model.params, plan.overrides,
                   *model.weights))
    before = BindAndInfer(plan.graph, b.outputs, b.opt, model, plan.overrides);
  std::set<NodeEntry> keep(b.outputs.begin(), b.outputs.end());
  std::set<std::string> input_names;
  for (const auto& kv : b.opt.input_shapes) input_names.insert(kv.first);
  PassContext ctx{plan.graph, keep, input_names, model.params, plan.overrides, *model.weights,
                  before.ids, before.shapes, before.dtypes};
  // Quantized nodes need their calibrated ranges whether or not the graph is optimised.
  ResolveQuantizedRanges(ctx);
  if (b.opt.optimize) RunPasses(ctx);
}

void BindGraph(PlanBuild& b) {
  Plan& plan = b.plan;
  b.bound = BindAndInfer(plan.graph, b.outputs, b.opt, b.model, plan.overrides);
  const Bound& bound = *b.bound;
  plan.slots = bound.slots;
  plan.entries.resize(bound.ids.count);
  for (uint32_t e = 0; e < bound.ids.count; ++e) {
    plan.entries[e].shape = bound.shapes[e];
    plan.entries[e].dtype = bound.dtypes[e];
  }
  plan.inputs.resize(b.opt.input_shapes.size());
  for (size_t i = 0; i < bound.input_entries.size(); ++i) {
    uint32_t e = bound.input_entries[i];
    plan.inputs[i] = TensorInfo{b.opt.input_shapes[i].first, bound.shapes[e], bound.dtypes[e]};
  }
}

void ListSteps(PlanBuild& b) {
  Plan& plan = b.plan;
  const Graph& g = plan.graph;
  const EntryIds& ids = b.bound->ids;
  b.last_use.assign(ids.count, -1);
  b.first_def.assign(ids.count, -1);
  for (uint32_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.is_variable() || !b.bound->live[i]) continue;
    int s = static_cast<int>(plan.steps.size());
    Step step;
    step.node = i;
    for (const NodeEntry& in : n.inputs) {
      step.in.push_back(ids(in));
      b.last_use[ids(in)] = s;
    }
    for (int k = 0; k < n.num_outputs; ++k) {
      step.out.push_back(ids.offsets[i] + k);
      b.first_def[ids.offsets[i] + k] = s;
    }
    plan.max_arity = std::max({plan.max_arity, step.in.size(), step.out.size()});
    plan.steps.push_back(std::move(step));
  }
  const int num_steps = static_cast<int>(plan.steps.size());
  for (const NodeEntry& o : b.outputs) {
    const uint32_t e = ids(o);
    b.last_use[e] = num_steps;
    plan.output_entries.push_back(e);
    const TensorDesc& d = plan.entries[e];
    plan.outputs.push_back(TensorInfo{EntryName(g, o), d.shape, d.dtype});
  }
}

void AssignLayoutStage(PlanBuild& b) {
  if (b.opt.optimize) AssignLayouts(b.plan, b.opt.compute_dtype);
}

void AssignPrecisionStage(PlanBuild& b) {
  if (b.opt.optimize) AssignPrecision(b.plan, b.opt.compute_dtype);
}

std::unique_ptr<Plan> BuildPlan(std::shared_ptr<const Model> model, const BindOptions& opt) {
  auto plan = std::make_unique<Plan>();
  plan->model = model;
  plan->graph = model->graph;
  PlanBuild build{*model, opt, *plan, {}, std::nullopt, {}, {}, {}, {}};
  for (const Stage& stage : kStages) stage.run(build);
  return plan;
}

}  // namespace mxserve
