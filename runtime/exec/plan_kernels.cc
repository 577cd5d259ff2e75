// SPDX-License-Identifier: Apache-2.0
// BuildPlan's device stages: kernels created by the backend with typed params and the bound
// weights, and parameters placed where the kernels read them.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "backends/host_fallback.h"
#include "base/error.h"
#include "exec/plan_build.h"
#include "graph/op_def.h"

namespace mxserve {

void CreateKernels(PlanBuild& b) {
  Plan& plan = b.plan;
  const Graph& g = plan.graph;
  for (Step& step : plan.steps) {
    const Node& n = g.nodes[step.node];
    if (n.def->is_identity() && b.root[step.out[0]] != step.out[0]) continue;
    KernelArgs args{n, {}, {}, {}, b.model.weights.get(), b.opt.compute_dtype};
    for (uint32_t e : step.in) {
      args.in.push_back(plan.entries[e]);
      const EntrySlot& slot = plan.slots[e];
      args.constants.push_back(slot.kind == EntrySlot::Kind::kParam ? slot.param : nullptr);
    }
    for (uint32_t e : step.out) args.out.push_back(plan.entries[e]);
    try {
      try {
        step.kernel = plan.backend->CreateKernel(args);
      } catch (const Error& err) {
        // A device backend without a kernel for the node: the host backend's, with copies.
        if (plan.backend->host_accessible() || err.code() != ErrorCode::kUnsupported) throw;
        step.kernel = CreateHostFallback(*plan.backend, args);
        LogHostFallback(*plan.backend, n, err.what());
      }
    } catch (const Error& err) {
      if (std::string(err.what()).rfind("failed to", 0) == 0) throw;
      throw Error(err.code(), "failed to plan " + n.op + " node '" + n.name + "': " + err.what());
    }
    plan.scratchpad_bytes = std::max(plan.scratchpad_bytes, step.kernel->ScratchpadBytes());
  }
}

void PlaceParameters(PlanBuild& b) {
  Plan& plan = b.plan;
  const Backend& backend = *plan.backend;
  // Uploads go through a stream of their own and wait for it alone: waiting for the whole device
  // would also wait for (or disturb) other predictors' calls, CUDA graph captures among them.
  std::unique_ptr<Stream> upload;
  // A parameter that no step reads at run time (each consumer keeps its own transformed copy,
  // such as a convolution weight with a BatchNorm folded in) is not uploaded: its slot's data
  // stays null. Steps without a kernel (aliases) and graph outputs count as readers.
  std::vector<bool> read(plan.slots.size(), false);
  for (uint32_t e : plan.output_entries) read[e] = true;
  for (const Step& s : plan.steps)
    for (size_t k = 0; k < s.in.size(); ++k)
      if (!s.kernel || s.kernel->ReadsInput(k)) read[s.in[k]] = true;
  for (size_t e = 0; e < plan.slots.size(); ++e) {
    EntrySlot& slot = plan.slots[e];
    if (slot.kind != EntrySlot::Kind::kParam) continue;
    const void* host = slot.param->data->data();
    if (backend.host_accessible()) {
      slot.data = host;
      continue;
    }
    if (!read[e]) continue;
    // Keyed by the host bytes and the device, so every binding of the model shares the upload.
    const size_t bytes = slot.param->nbytes();
    char key[48];
    std::snprintf(key, sizeof(key), "param %p on ", host);
    DeviceMemory m = b.model.weights->GetOrCreateOnDevice(key + backend.device_name(), [&] {
      DeviceMemory d = backend.Allocate(bytes);
      if (!upload) upload = backend.CreateCopyStream();
      backend.Copy(d.data(), host, bytes, Backend::CopyKind::kHostToDevice, upload.get());
      backend.Synchronize(upload.get());
      return d;
    });
    slot.data = m.data();
    plan.device_params.push_back(std::move(m));
  }
}

}  // namespace mxserve
