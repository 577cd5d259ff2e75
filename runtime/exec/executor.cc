// SPDX-License-Identifier: Apache-2.0
#include "exec/executor.h"

#include <omp.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>

#include "base/buffer.h"
#include "base/error.h"

namespace mxserve {

struct ExecContext {
  Buffer arena;                                     ///< activations, laid out by the planner
  Buffer scratchpad;                                ///< shared by all kernels (they run in turn)
  std::unique_ptr<Stream> stream;                   ///< backend stream
  std::vector<std::unique_ptr<KernelState>> state;  ///< per step
  std::vector<void*> ptr;                           ///< per entry, resolved data pointer
  std::vector<const void*> in_ptr;                  ///< gather buffer for one step's inputs
  std::vector<void*> out_ptr;                       ///< gather buffer for one step's outputs
};

namespace {

// Cores handed out to running calls, process-wide. A call takes as many cores as it has intra-op
// threads (at most all of them) and waits while they are taken, so several threads calling
// predictors at once never run more OpenMP threads than there are cores.
class CoreBudget {
 public:
  static CoreBudget& Global() {
    static CoreBudget budget(omp_get_num_procs());
    return budget;
  }
  int Acquire(int want) {
    std::unique_lock<std::mutex> lock(mu_);
    want = std::max(1, std::min(want, total_));
    cv_.wait(lock, [&] { return free_ >= want; });
    free_ -= want;
    return want;
  }
  void Release(int n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_ += n;
    }
    cv_.notify_all();
  }

 private:
  explicit CoreBudget(int total) : total_(std::max(1, total)), free_(total_) {}
  std::mutex mu_;
  std::condition_variable cv_;
  int total_;
  int free_;
};

}  // namespace

int DefaultNumThreads() {
  if (const char* env = std::getenv("MXSERVE_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return omp_get_num_procs();
}

Executor::Executor(std::unique_ptr<Plan> plan, int num_threads)
    : plan_(std::move(plan)), num_threads_(num_threads > 0 ? num_threads : DefaultNumThreads()) {
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
  auto ctx = std::make_unique<ExecContext>();
  ctx->arena = Buffer(p.arena_bytes);
  ctx->scratchpad = Buffer(p.scratchpad_bytes);
  ctx->stream = p.backend->CreateStream();
  for (const Step& s : p.steps) ctx->state.push_back(s.kernel ? s.kernel->CreateState() : nullptr);
  ctx->ptr.assign(p.entries.size(), nullptr);
  for (size_t e = 0; e < p.slots.size(); ++e) {
    const EntrySlot& slot = p.slots[e];
    if (slot.kind == EntrySlot::Kind::kArena) ctx->ptr[e] = ctx->arena.as<uint8_t>() + slot.offset;
    if (slot.kind == EntrySlot::Kind::kParam) ctx->ptr[e] = const_cast<void*>(slot.param->data->data());
  }
  ctx->in_ptr.resize(p.max_arity);
  ctx->out_ptr.resize(p.max_arity);
  return ctx;
}

void Executor::Release(std::unique_ptr<ExecContext> ctx) const {
  std::lock_guard<std::mutex> lock(mu_);
  pool_.push_back(std::move(ctx));
}

void Executor::Run(const void* const* inputs, void* const* outputs, const MonitorFn* monitor) const {
  const Plan& p = *plan_;
  std::unique_ptr<ExecContext> ctx = Acquire();
  struct Returner {
    const Executor* self;
    std::unique_ptr<ExecContext>* ctx;
    ~Returner() { self->Release(std::move(*ctx)); }
  } returner{this, &ctx};

  struct CoreLease {
    int n;
    explicit CoreLease(int want) : n(CoreBudget::Global().Acquire(want)) {}
    ~CoreLease() { CoreBudget::Global().Release(n); }
  } lease(num_threads_);
  omp_set_num_threads(lease.n);
  for (size_t e = 0; e < p.slots.size(); ++e)
    if (p.slots[e].kind == EntrySlot::Kind::kInput) ctx->ptr[e] = const_cast<void*>(inputs[p.slots[e].index]);
  for (uint32_t e : p.alias_entries) ctx->ptr[e] = ctx->ptr[p.slots[e].index];

  for (size_t s = 0; s < p.steps.size(); ++s) {
    const Step& step = p.steps[s];
    if (step.kernel) {
      for (size_t k = 0; k < step.in.size(); ++k) ctx->in_ptr[k] = ctx->ptr[step.in[k]];
      for (size_t k = 0; k < step.out.size(); ++k) ctx->out_ptr[k] = ctx->ptr[step.out[k]];
      RunArgs args{ctx->in_ptr.data(), ctx->out_ptr.data(), ctx->scratchpad.data(), ctx->stream.get(),
                   ctx->state[s].get()};
      step.kernel->Run(args);
    }
    if (monitor) {
      const Node& n = p.graph.nodes[step.node];
      for (uint32_t e : step.out) {
        const TensorDesc& d = p.entries[e];
        TensorInfo info{EntryName(p.graph, NodeEntry{step.node, e - step.out[0]}), d.shape, d.dtype};
        (*monitor)(n.name, info, ctx->ptr[e]);
      }
    }
  }
  for (size_t i = 0; i < p.output_entries.size(); ++i) {
    uint32_t e = p.output_entries[i];
    std::memcpy(outputs[i], ctx->ptr[e], p.entries[e].nbytes());
  }
}

}  // namespace mxserve
