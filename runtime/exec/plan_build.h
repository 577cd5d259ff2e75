// SPDX-License-Identifier: Apache-2.0
// BuildPlan's stages and the state they hand on. Each stage is one function over PlanBuild;
// BuildPlan (exec/plan.cc) runs them in the order of its stage table, so a new stage (such as
// quantization) is one more function and one more entry.
#pragma once

#include <optional>
#include <vector>

#include "exec/plan.h"

namespace mxserve {

/// Variables bound and every entry's shape and dtype inferred, for one version of the graph.
struct Bound {
  std::vector<bool> live;               ///< nodes the outputs depend on
  EntryIds ids;                         ///< entry numbering
  std::vector<Shape> shapes;            ///< per entry
  std::vector<DType> dtypes;            ///< per entry
  std::vector<EntrySlot> slots;         ///< per entry; variables filled in
  std::vector<uint32_t> input_entries;  ///< entry of each caller input
};

/// What the stages read and write while one plan is built.
struct PlanBuild {
  const Model& model;
  const BindOptions& opt;
  Plan& plan;
  std::vector<NodeEntry> outputs;  ///< the requested outputs (select outputs)
  std::optional<Bound> bound;      ///< the final graph's binding (prune, bind, infer)
  std::vector<int> first_def;      ///< per entry: the step that writes it, or -1
  std::vector<int> last_use;       ///< per entry: the last step that reads it
  std::vector<uint32_t> root;      ///< per entry: the entry whose storage it uses
  std::vector<int> group_last;     ///< per storage root: the last step its group is alive
};

/// Liveness, variable binding and shape/dtype inference of `g` (exec/plan_bind.cc): dead nodes
/// are pruned; each live variable becomes an input, a parameter (its shape then checked by
/// inference) or an unused label, anything else being an error naming its consumer.
Bound BindAndInfer(const Graph& g, const std::vector<NodeEntry>& outputs, const BindOptions& opt,
                   const Model& model, const std::map<uint32_t, NDArray>& overrides);

// Stages, in BuildPlan's order.
/// The backend of opt.device, and the compute dtype checked against it (exec/plan.cc).
void SelectBackend(PlanBuild& b);
/// The graph heads, or the entries named in opt.outputs (exec/plan_bind.cc).
void SelectOutputs(PlanBuild& b);
/// float16 widening, then the graph passes, on shapes inferred for the graph as written.
void RunGraphPasses(PlanBuild& b);
/// Prunes dead nodes, binds variables (checking parameters) and infers shapes and dtypes.
void BindGraph(PlanBuild& b);
/// One step per live operator node, each entry's first writer and last reader.
void ListSteps(PlanBuild& b);
/// Channels-last or row-major per entry (exec/layout.cc).
void AssignLayoutStage(PlanBuild& b);
/// Activations stored in the reduced compute dtype (exec/precision.cc).
void AssignPrecisionStage(PlanBuild& b);
/// Storage groups: identity aliases and in-place reuse (exec/plan_storage.cc).
void GroupStorage(PlanBuild& b);
/// The backend's kernel for every step that computes (exec/plan_kernels.cc).
void CreateKernels(PlanBuild& b);
/// Arena offsets for the storage groups, and which outputs are written in place.
void PlanArena(PlanBuild& b);
/// Parameters read in place, or uploaded to the device once per model (exec/plan_kernels.cc).
void PlaceParameters(PlanBuild& b);

}  // namespace mxserve
