// SPDX-License-Identifier: Apache-2.0
#include "exec/executor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "backends/host_fallback.h"
#include "base/error.h"

namespace mxserve {

struct ExecContext {
  DeviceMemory arena;                               ///< activations, laid out by the planner
  DeviceMemory scratchpad;                          ///< shared by all kernels (they run in turn)
  std::vector<DeviceMemory> inputs;                 ///< device copies of the inputs (not host)
  std::unique_ptr<Stream> stream;                   ///< backend stream
  std::vector<std::unique_ptr<KernelState>> state;  ///< per step
  std::vector<void*> ptr;                           ///< per entry, resolved data pointer
  std::vector<const void*> in_ptr;                  ///< gather buffer for one step's inputs
  std::vector<void*> out_ptr;                       ///< gather buffer for one step's outputs
  std::unique_ptr<Backend::Recording> recording;    ///< the steps recorded on the second call
  int calls = 0;                                    ///< calls run with this context
  bool recording_failed = false;                    ///< the steps could not be recorded
};

namespace {

/// MXSERVE_DEBUG_SYNC=1: every step waits for its work to finish before the next starts, so
/// that an asynchronous device fault is reported with the node whose kernel caused it.
bool DebugSyncRequested() {
  const char* env = std::getenv("MXSERVE_DEBUG_SYNC");
  return env != nullptr && *env != '\0' && std::string(env) != "0";
}

/// `e` with the node, operator and kernel of `step` in front of its message.
Error AtStep(const Error& e, const Plan& p, const Step& step) {
  const Node& n = p.graph.nodes[step.node];
  const std::string where = "node '" + n.name + "'";
  const std::string message = e.what();
  if (message.rfind(where, 0) == 0) return e;
  return Error(e.code(),
               where + " (" + n.op + ", kernel " + step.kernel->Describe() + "): " + message);
}

}  // namespace

Executor::Executor(std::unique_ptr<Plan> plan, int num_threads)
    : plan_(std::move(plan)),
      num_threads_(num_threads > 0 ? num_threads : plan_->backend->DefaultThreads()),
      host_(plan_->backend->host_accessible()),
      sync_steps_(!host_ && DebugSyncRequested()) {
  // Host fallback kernels wait for the stream in the middle of a call, and so does every step
  // under MXSERVE_DEBUG_SYNC, so such calls cannot be recorded.
  records_ = !host_ && !sync_steps_ && plan_->backend->records_calls();
  for (const Step& s : plan_->steps)
    if (s.kernel && IsHostFallback(*s.kernel)) records_ = false;
  Release(Acquire());  // create the first context now so that bind-time errors surface here
}

Executor::~Executor() = default;

std::unique_ptr<ExecContext> Executor::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      auto ctx = std::move(pool_.back());
      pool_.pop_back();
      return ctx;
    }
  }
  const Plan& p = *plan_;
  const Backend& b = *p.backend;
  auto ctx = std::make_unique<ExecContext>();
  ctx->arena = b.Allocate(p.arena_bytes);
  ctx->scratchpad = b.Allocate(p.scratchpad_bytes);
  ctx->stream = b.CreateStream();
  for (const Step& s : p.steps) ctx->state.push_back(s.kernel ? s.kernel->CreateState() : nullptr);
  ctx->ptr.assign(p.entries.size(), nullptr);
  if (!host_)
    for (const TensorInfo& t : p.inputs)
      ctx->inputs.push_back(b.Allocate(ShapeBytes(t.shape, DTypeSize(t.dtype))));
  for (size_t e = 0; e < p.slots.size(); ++e) {
    const EntrySlot& slot = p.slots[e];
    if (slot.kind == EntrySlot::Kind::kArena) ctx->ptr[e] = ctx->arena.as<uint8_t>() + slot.offset;
    if (slot.kind == EntrySlot::Kind::kParam) ctx->ptr[e] = const_cast<void*>(slot.data);
    if (slot.kind == EntrySlot::Kind::kInput && !host_)
      ctx->ptr[e] = ctx->inputs[slot.index].data();
  }
  ctx->in_ptr.resize(p.max_arity);
  ctx->out_ptr.resize(p.max_arity);
  return ctx;
}

void Executor::Release(std::unique_ptr<ExecContext> ctx) const {
  std::lock_guard<std::mutex> lock(mu_);
  pool_.push_back(std::move(ctx));
}

void Executor::Run(const void* const* inputs, void* const* outputs,
                   const MonitorFn* monitor) const {
  const Plan& p = *plan_;
  const Backend& b = *p.backend;
  // The call's scope first: a context made now allocates on the backend's device, and the
  // scope restores the caller's device afterwards.
  Backend::ThreadScope threads = b.EnterCall(num_threads_);
  std::unique_ptr<ExecContext> ctx = Acquire();
  struct Returner {
    const Executor* self;
    std::unique_ptr<ExecContext>* ctx;
    ~Returner() { self->Release(std::move(*ctx)); }
  } returner{this, &ctx};
  Stream* stream = ctx->stream.get();

  // Inputs are read in place on a host backend and copied to the device otherwise; outputs that
  // allow it are written straight into the caller's buffers.
  for (size_t e = 0; e < p.slots.size(); ++e) {
    const EntrySlot& slot = p.slots[e];
    if (slot.kind != EntrySlot::Kind::kInput) continue;
    if (host_) {
      ctx->ptr[e] = const_cast<void*>(inputs[slot.index]);
    } else {
      b.Copy(ctx->ptr[e], inputs[slot.index], p.entries[e].nbytes(),
             Backend::CopyKind::kHostToDevice, stream);
    }
  }
  if (host_)
    for (size_t i = 0; i < p.output_entries.size(); ++i)
      if (p.output_in_place[i]) ctx->ptr[p.output_entries[i]] = outputs[i];
  for (uint32_t e : p.alias_entries) ctx->ptr[e] = ctx->ptr[p.slots[e].index];

  auto run_steps = [&] {
    for (size_t s = 0; s < p.steps.size(); ++s) {
      const Step& step = p.steps[s];
      if (step.kernel) {
        for (size_t k = 0; k < step.in.size(); ++k) ctx->in_ptr[k] = ctx->ptr[step.in[k]];
        for (size_t k = 0; k < step.out.size(); ++k) ctx->out_ptr[k] = ctx->ptr[step.out[k]];
        RunArgs args{ctx->in_ptr.data(), ctx->out_ptr.data(), ctx->scratchpad.data(), stream,
                     ctx->state[s].get()};
        try {
          step.kernel->Run(args);
          if (sync_steps_) b.Synchronize(stream);
        } catch (const Error& e) {
          throw AtStep(e, p, step);
        }
      }
      if (monitor) Report(*monitor, step, ctx->ptr, stream);
    }
  };
  // The first call runs the kernels directly (libraries load lazily); the second records them
  // and every later one replays the recording. A step that cannot be recorded turns recording
  // off for the context.
  const bool record = records_ && monitor == nullptr;
  if (record && ctx->recording) {
    b.Replay(*ctx->recording, stream);
    ++replayed_calls_;
  } else if (record && ctx->calls > 0 && !ctx->recording_failed) {
    b.BeginRecording(stream);
    try {
      run_steps();
      ctx->recording = b.EndRecording(stream);
    } catch (const Error& e) {
      try {
        b.EndRecording(stream);
      } catch (const Error&) {
      }
      ctx->recording = nullptr;
      ctx->recording_failed = true;
      NoteRecordingFailure(e);
    } catch (...) {
      // Anything else (out of host memory) ends the capture so that the context stays usable.
      try {
        b.EndRecording(stream);
      } catch (...) {
      }
      ctx->recording_failed = true;
      throw;
    }
    if (ctx->recording) {
      b.Replay(*ctx->recording, stream);
      ++replayed_calls_;
    } else {
      run_steps();
    }
  } else {
    run_steps();
  }
  ++ctx->calls;
  for (size_t i = 0; i < p.output_entries.size(); ++i) {
    if (host_ && p.output_in_place[i]) continue;
    uint32_t e = p.output_entries[i];
    b.Copy(outputs[i], ctx->ptr[e], p.entries[e].nbytes(),
           host_ ? Backend::CopyKind::kDeviceToDevice : Backend::CopyKind::kDeviceToHost, stream);
  }
  if (host_) return;
  try {
    b.Synchronize(stream);
  } catch (const Error& e) {
    // Kernels run asynchronously: a fault of any step surfaces here, after the last one.
    if (e.code() != ErrorCode::kDevice || sync_steps_) throw;
    throw Error(e.code(), std::string(e.what()) +
                              " (reported at the end of the call; MXSERVE_DEBUG_SYNC=1 names the "
                              "node whose kernel failed)");
  }
}

void Executor::NoteRecordingFailure(const Error& e) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!recording_error_.empty()) return;
  recording_error_ = e.what();
  std::fprintf(stderr,
               "mxserve: calls on %s are not recorded for replay (CUDA graphs) and run step by "
               "step: %s\n",
               plan_->backend->device_name().c_str(), e.what());
}

std::string Executor::recording_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recording_error_;
}

void Executor::Report(const MonitorFn& monitor, const Step& step, const std::vector<void*>& ptr,
                      Stream* stream) const {
  const Plan& p = *plan_;
  const Node& n = p.graph.nodes[step.node];
  for (uint32_t e : step.out) {
    const TensorDesc& d = p.entries[e];
    TensorInfo info{EntryName(p.graph, NodeEntry{step.node, e - step.out[0]}), d.shape, d.dtype};
    if (host_) {
      monitor(n.name, info, ptr[e]);
      continue;
    }
    // The monitor reads host memory: a device output is copied back first (a debugging path).
    std::vector<uint8_t> host(d.nbytes());
    p.backend->Copy(host.data(), ptr[e], host.size(), Backend::CopyKind::kDeviceToHost, stream);
    p.backend->Synchronize(stream);
    monitor(n.name, info, host.data());
  }
}

}  // namespace mxserve
