// SPDX-License-Identifier: Apache-2.0
// How the executor reports a kernel's failure on a device backend, without a GPU: a CPU plan of
// data -> relu ("first") -> tanh ("second") runs on a stand-in device (tests/cpp/stand_in_device.h)
// with one kernel wrapped to fail. A failure thrown by a kernel names its node, operator and
// kernel; an asynchronous fault, which a GPU reports only at the next synchronisation, surfaces at
// the end of the call with a pointer to MXSERVE_DEBUG_SYNC, and under MXSERVE_DEBUG_SYNC=1 names
// the node that caused it. The context stays usable: the next call gives tanh(relu(x)). Calls
// recorded for replay (CUDA graphs) are counted; a step that cannot be recorded makes the call
// run step by step, and the reason is kept, naming the node.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "exec/plan.h"
#include "graph/ndarray_file.h"
#include "stand_in_device.h"

using namespace mxserve;
using mxserve::testing::StandInDevice;

namespace {

const char kSymbol[] = R"({"nodes": [
  {"op": "null", "name": "data", "inputs": []},
  {"op": "Activation", "name": "first", "attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]},
  {"op": "Activation", "name": "second", "attrs": {"act_type": "tanh"}, "inputs": [[1, 0, 0]]}],
 "arg_nodes": [0], "heads": [[2, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}})";

constexpr int kSize = 8;

enum class Fault { kNone, kThrow, kAsync, kThrowWhileRecording };

/// Runs the wrapped kernel, then fails as asked: throws, or leaves a fault for the next sync.
class FaultyKernel final : public Kernel {
 public:
  FaultyKernel(std::unique_ptr<Kernel> inner, const StandInDevice& device, const Fault* fault)
      : inner_(std::move(inner)), device_(device), fault_(fault) {}
  void Run(const RunArgs& args) const override {
    inner_->Run(args);
    if (*fault_ == Fault::kThrow)
      MXS_THROW(kDevice) << "cuDNN error in cudnnConvolutionForward: CUDNN_STATUS_EXECUTION_FAILED";
    if (*fault_ == Fault::kAsync) device_.fault_pending = true;
    if (*fault_ == Fault::kThrowWhileRecording && device_.recording)
      MXS_THROW(kDevice) << "CUDA error in cudaMemcpy: operation not permitted when stream is "
                            "capturing";
  }
  size_t ScratchpadBytes() const override { return inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  std::unique_ptr<Kernel> inner_;
  const StandInDevice& device_;
  const Fault* fault_;
};

/// The plan bound for the CPU, moved onto `device`, with node `faulty`'s kernel failing as
/// `*fault` says at each call.
std::unique_ptr<Executor> MakeExecutor(const StandInDevice& device, const std::string& faulty,
                                       const Fault* fault) {
  auto model = LoadModel(kSymbol, SaveNDArrayList({}));
  BindOptions options;
  options.input_shapes = {{"data", Shape{1, kSize}}};
  options.num_threads = 1;
  options.optimize = false;
  std::unique_ptr<Plan> plan = BuildPlan(model, options);
  plan->backend = &device;
  for (Step& s : plan->steps)
    if (s.kernel && plan->graph.nodes[s.node].name == faulty)
      s.kernel = std::make_unique<FaultyKernel>(std::move(s.kernel), device, fault);
  return std::make_unique<Executor>(std::move(plan), 1);
}

/// One call; returns the error's message, or "" when the call succeeded with the right values.
std::string Call(const Executor& exec, ErrorCode* code) {
  std::vector<float> x(kSize), y(kSize, NAN);
  for (int i = 0; i < kSize; ++i) x[i] = 0.5f * static_cast<float>(i) - 2.0f;
  const void* in[] = {x.data()};
  void* out[] = {y.data()};
  try {
    exec.Run(in, out, nullptr);
  } catch (const Error& e) {
    *code = e.code();
    return e.what();
  }
  for (int i = 0; i < kSize; ++i)
    if (!(std::fabs(y[i] - std::tanh(std::max(x[i], 0.0f))) <= 1e-6f))
      return "wrong value " + std::to_string(y[i]) + " at " + std::to_string(i);
  return "";
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

int Expect(bool ok, const char* what, const std::string& message) {
  if (ok) return 0;
  std::fprintf(stderr, "%s; the message was: %s\n", what, message.c_str());
  return 1;
}

}  // namespace

int main() {
  int failed = 0;
  try {
    StandInDevice device;
    Fault fault = Fault::kThrow;
    ErrorCode code = ErrorCode::kInternal;
    {
      auto exec = MakeExecutor(device, "second", &fault);
      const std::string m = Call(*exec, &code);
      failed += Expect(StartsWith(m, "node 'second' (Activation, kernel ") &&
                           Contains(m, "): cuDNN error in cudnnConvolutionForward"),
                       "a kernel's error does not name its node", m);
      failed += Expect(code == ErrorCode::kDevice, "a kernel's error lost its code", m);
      fault = Fault::kNone;
      const std::string again = Call(*exec, &code);
      failed += Expect(again.empty(), "the context is not usable after a failed call", again);
    }
    fault = Fault::kAsync;
    {
      auto exec = MakeExecutor(device, "first", &fault);
      const std::string m = Call(*exec, &code);
      failed +=
          Expect(StartsWith(m, "CUDA error in cudaStreamSynchronize") &&
                     Contains(m, "MXSERVE_DEBUG_SYNC=1 names the node") && !Contains(m, "node '"),
                 "an asynchronous fault is not reported at the end of the call", m);
    }
    setenv("MXSERVE_DEBUG_SYNC", "1", 1);
    {
      auto exec = MakeExecutor(device, "first", &fault);
      const int syncs = device.syncs;
      const std::string m = Call(*exec, &code);
      failed += Expect(StartsWith(m, "node 'first' (Activation, kernel ") &&
                           Contains(m, "cudaErrorIllegalAddress"),
                       "MXSERVE_DEBUG_SYNC=1 does not name the faulting node", m);
      failed += Expect(device.syncs == syncs + 1, "the fault was not caught at its own step", m);
      fault = Fault::kNone;
      const std::string again = Call(*exec, &code);
      failed += Expect(again.empty(), "the context is not usable after a fault", again);
      failed += Expect(device.syncs == syncs + 4, "MXSERVE_DEBUG_SYNC=1 does not wait per step",
                       std::to_string(device.syncs - syncs) + " synchronisations");
    }
    unsetenv("MXSERVE_DEBUG_SYNC");
    // Recording: the second call of a context is recorded and replayed, later ones replayed.
    device.records = true;
    fault = Fault::kNone;
    {
      auto exec = MakeExecutor(device, "first", &fault);
      std::string m;
      for (int call = 0; call < 3 && m.empty(); ++call) m = Call(*exec, &code);
      failed += Expect(m.empty(), "a recorded call failed", m);
      failed += Expect(
          exec->replayed_calls() == 2 && device.replays == 2 && exec->recording_error().empty(),
          "calls are not replayed after the first",
          std::to_string(exec->replayed_calls()) + " replayed calls");
    }
    // A step that cannot be recorded: the call runs step by step instead, and so do later ones;
    // the reason is kept, naming the node.
    fault = Fault::kThrowWhileRecording;
    device.replays = 0;
    {
      auto exec = MakeExecutor(device, "second", &fault);
      std::string m;
      for (int call = 0; call < 3 && m.empty(); ++call) m = Call(*exec, &code);
      failed += Expect(m.empty(), "a call failed when its recording did", m);
      const std::string why = exec->recording_error();
      failed += Expect(StartsWith(why, "node 'second' (Activation") &&
                           Contains(why, "operation not permitted when stream is capturing"),
                       "the recording failure is not kept with its node", why);
      failed += Expect(exec->replayed_calls() == 0 && device.replays == 0 && !device.recording,
                       "a failed recording was replayed or left open",
                       std::to_string(exec->replayed_calls()) + " replayed calls");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "executor errors: %s\n", e.what());
    return 1;
  }
  std::printf("executor errors: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
