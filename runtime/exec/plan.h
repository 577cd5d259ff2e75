// SPDX-License-Identifier: Apache-2.0
// Plan: a bound graph as data — one TensorDesc and storage slot per entry, one Step (kernel and
// entry ids) per operator node, and the activation arena size. Built once by BuildPlan(), then
// read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "exec/model.h"
#include "mxserve/predictor.h"

namespace mxserve {

/// Where an entry's data lives during a call.
struct EntrySlot {
  enum class Kind {
    kArena,   ///< at `offset` in the execution context's arena
    kParam,   ///< a model parameter (`param`)
    kInput,   ///< the caller's input number `index`
    kAlias,   ///< the same bytes as entry `index` (identity ops)
    kNone,    ///< never read (an unbound label)
  };
  Kind kind = Kind::kNone;
  size_t offset = 0;              ///< arena offset for kArena
  int index = 0;                  ///< input number for kInput, root entry for kAlias
  const NDArray* param = nullptr; ///< for kParam: the host value
  const void* data = nullptr;     ///< for kParam: the value on the backend's device
};

/// One operator node to run.
struct Step {
  uint32_t node = 0;                ///< index in the graph
  std::vector<uint32_t> in;         ///< input entry ids
  std::vector<uint32_t> out;        ///< output entry ids
  std::unique_ptr<Kernel> kernel;   ///< null for identity ops
};

struct Plan {
  std::shared_ptr<const Model> model;   ///< keeps the params alive
  Graph graph;                          ///< the model's graph after the bind-time passes
  std::map<uint32_t, NDArray> overrides; ///< values of variables rewritten by passes
  const Backend* backend = nullptr;     ///< the device's kernels
  std::vector<TensorDesc> entries;      ///< per entry id
  std::vector<EntrySlot> slots;         ///< per entry id
  std::vector<Step> steps;              ///< in execution order
  std::vector<uint32_t> alias_entries;  ///< entries of kind kAlias, in dependency order
  std::vector<TensorInfo> inputs;       ///< graph inputs in binding order
  std::vector<TensorInfo> outputs;      ///< requested outputs
  std::vector<uint32_t> output_entries; ///< entry id of each output
  /// Per output: the producing kernel may write straight into the caller's buffer (its entry
  /// is an arena entry of its own that nothing else aliases); otherwise the output is copied.
  std::vector<bool> output_in_place;
  std::vector<DeviceMemory> device_params; ///< parameters uploaded to the device (if not host)
  size_t arena_bytes = 0;               ///< activation arena per context
  size_t scratchpad_bytes = 0;          ///< largest kernel scratchpad
  size_t max_arity = 0;                 ///< most inputs or outputs of one step
};

/// The backend of `device` from the backend table; errors start "failed to bind: ".
const Backend& BindBackend(const Device& device);

/// Binds `model` with `options`: selects outputs, prunes dead nodes, infers shapes and dtypes,
/// checks the parameters against the graph, creates kernels and plans memory.
std::unique_ptr<Plan> BuildPlan(std::shared_ptr<const Model> model, const BindOptions& options);

}  // namespace mxserve
