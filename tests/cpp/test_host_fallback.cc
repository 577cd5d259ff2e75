// SPDX-License-Identifier: Apache-2.0
// The host fallback without a GPU: a stand-in device backend whose memory the host could read but
// which says it cannot (host_accessible() false), so CreateHostFallback wraps the CPU kernel with
// staging copies. Float32 tensors reach the CPU kernel as they are; float16 and bfloat16 ones,
// which the CPU's Activation kernel does not take, are widened to float32 for it and narrowed
// back, and the results are those of the float32 kernel rounded once. Channels-last device
// tensors reach the row-major CPU kernel reordered: a softmax over the channel axis of NHWC data
// gives, at each pixel, the softmax of that pixel's channels. An unbound input (a label the graph
// does not use) stays null and is not copied.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend_table.h"
#include "backends/host_fallback.h"
#include "base/error.h"
#include "graph/op_def.h"
#include "ops/registry.h"
#include "stand_in_device.h"

using namespace mxserve;
using mxserve::testing::StandInDevice;

namespace {

Node OneInputNode(const std::string& op, const AttrMap& attrs) {
  Node n;
  n.name = "n";
  n.op = op;
  n.attrs = attrs;
  n.def = OpRegistry::Global().Find(op);
  n.param = n.def->Parse(n.attrs);
  n.inputs = {NodeEntry{0, 0}};
  return n;
}

/// One call of one-input, one-output kernel `k` with its own state, scratchpad and stream.
void RunOnce(const Kernel& k, const Backend& device, const void* x, void* y) {
  std::unique_ptr<KernelState> state = k.CreateState();
  std::vector<uint8_t> scratch(k.ScratchpadBytes() + 1);
  std::unique_ptr<Stream> stream = device.CreateStream();
  const void* in[] = {x};
  void* out[] = {y};
  k.Run(RunArgs{in, out, scratch.data(), stream.get(), state.get()});
}

Node TanhNode() { return OneInputNode("Activation", {{"act_type", "tanh"}}); }

float ToFloat(DType t, uint16_t v) { return t == DType::kFloat16 ? HalfToFloat(v) : Bfloat16ToFloat(v); }
uint16_t FromFloat(DType t, float v) { return t == DType::kFloat16 ? FloatToHalf(v) : FloatToBfloat16(v); }

/// Runs tanh on 9 values of dtype `t` through the host fallback; returns the number of wrong ones.
int RunTanh(DType t) {
  StandInDevice device;
  const Node node = TanhNode();
  const Shape shape{1, 9};
  KernelArgs args{node, {TensorDesc{shape, t, Layout::kRowMajor}},
                  {TensorDesc{shape, t, Layout::kRowMajor}}, {nullptr}, nullptr, t};
  std::unique_ptr<Kernel> k = CreateHostFallback(device, args);
  if (!IsHostFallback(*k)) {
    std::fprintf(stderr, "%s: not a host fallback kernel\n", DTypeName(t));
    return 1;
  }
  std::vector<float> x32(9);
  for (int i = 0; i < 9; ++i) x32[i] = -2.0f + 0.5f * static_cast<float>(i);
  std::vector<uint8_t> x(9 * DTypeSize(t)), y(9 * DTypeSize(t), 0xff);
  for (int i = 0; i < 9; ++i) {
    if (t == DType::kFloat32) {
      std::memcpy(x.data() + 4 * i, &x32[i], 4);
    } else {
      const uint16_t h = FromFloat(t, x32[i]);
      std::memcpy(x.data() + 2 * i, &h, 2);
    }
  }
  RunOnce(*k, device, x.data(), y.data());
  int wrong = 0;
  for (int i = 0; i < 9; ++i) {
    float got, want;
    if (t == DType::kFloat32) {
      std::memcpy(&got, y.data() + 4 * i, 4);
      want = std::tanh(x32[i]);
      if (!(std::fabs(got - want) <= 1e-6f)) ++wrong;
    } else {
      uint16_t h;
      std::memcpy(&h, y.data() + 2 * i, 2);
      got = ToFloat(t, h);
      // The float32 kernel's tanh of the reduced input, rounded once to the reduced dtype.
      want = ToFloat(t, FromFloat(t, std::tanh(ToFloat(t, FromFloat(t, x32[i])))));
      const float ulp = t == DType::kFloat16 ? 1.0f / 1024 : 1.0f / 128;
      if (!(std::fabs(got - want) <= ulp * std::fabs(want) + 1e-7f)) ++wrong;
    }
    if (wrong) {
      std::fprintf(stderr, "%s: tanh(%g) gave %g, want %g\n", DTypeName(t), x32[i], got, want);
      return wrong;
    }
  }
  if (device.copies != 2) {
    std::fprintf(stderr, "%s: %d copies, want one in and one out\n", DTypeName(t), device.copies);
    return 1;
  }
  return 0;
}

/// Softmax over the channels of a (2, 3, 2, 2) tensor stored channels-last on the device, of
/// dtype `t`; returns the number of wrong values.
int RunChannelSoftmax(DType t) {
  StandInDevice device;
  const Node node = OneInputNode("softmax", {{"axis", "1"}});
  const Shape shape{2, 3, 2, 2};
  const int64_t n = shape.Size(), c = 3, pixels = 8;
  KernelArgs args{node, {TensorDesc{shape, t, Layout::kChannelsLast}},
                  {TensorDesc{shape, t, Layout::kChannelsLast}}, {nullptr}, nullptr, t};
  std::unique_ptr<Kernel> k = CreateHostFallback(device, args);
  // Channels-last memory: pixel p's channel j at p * 3 + j.
  std::vector<float> x32(n);
  for (int64_t i = 0; i < n; ++i) x32[i] = 0.25f * static_cast<float>((i * 7) % 11) - 1.0f;
  const size_t es = DTypeSize(t);
  std::vector<uint8_t> x(n * es), y(n * es, 0xff);
  for (int64_t i = 0; i < n; ++i) {
    if (t == DType::kFloat32) {
      std::memcpy(x.data() + 4 * i, &x32[i], 4);
    } else {
      const uint16_t h = FromFloat(t, x32[i]);
      std::memcpy(x.data() + 2 * i, &h, 2);
      x32[i] = ToFloat(t, h);
    }
  }
  RunOnce(*k, device, x.data(), y.data());
  for (int64_t p = 0; p < pixels; ++p) {
    double sum = 0;
    for (int64_t j = 0; j < c; ++j) sum += std::exp(static_cast<double>(x32[p * c + j]));
    for (int64_t j = 0; j < c; ++j) {
      const float want = static_cast<float>(std::exp(static_cast<double>(x32[p * c + j])) / sum);
      float got;
      if (t == DType::kFloat32) {
        std::memcpy(&got, y.data() + 4 * (p * c + j), 4);
      } else {
        uint16_t h;
        std::memcpy(&h, y.data() + 2 * (p * c + j), 2);
        got = ToFloat(t, h);
      }
      const float tol = t == DType::kFloat32 ? 1e-6f : (t == DType::kFloat16 ? 2e-3f : 1e-2f);
      if (!(std::fabs(got - want) <= tol)) {
        std::fprintf(stderr, "%s channels-last softmax: pixel %lld channel %lld gave %g, want %g\n",
                     DTypeName(t), static_cast<long long>(p), static_cast<long long>(j), got, want);
        return 1;
      }
    }
  }
  return 0;
}

/// SoftmaxOutput with its label unbound (a null pointer, as the plan leaves a label the graph
/// does not use): the fallback copies nothing from it and the CPU kernel sees it null, as on
/// the CPU. Returns the number of wrong values.
int RunUnboundLabel() {
  StandInDevice device;
  Node node = OneInputNode("SoftmaxOutput", {});
  node.inputs = {NodeEntry{0, 0}, NodeEntry{1, 0}};
  const Shape shape{2, 3};
  const TensorDesc data{shape, DType::kFloat32, Layout::kRowMajor};
  const TensorDesc label{Shape{2}, DType::kFloat32, Layout::kRowMajor};
  KernelArgs args{node, {data, label}, {data}, {nullptr, nullptr}, nullptr, DType::kFloat32};
  std::unique_ptr<Kernel> k = CreateHostFallback(device, args);
  const float x[6] = {1, 2, 3, 0, 0, 0};
  float y[6] = {-1, -1, -1, -1, -1, -1};
  std::unique_ptr<KernelState> state = k->CreateState();
  std::vector<uint8_t> scratch(k->ScratchpadBytes() + 1);
  std::unique_ptr<Stream> stream = device.CreateStream();
  const void* in[] = {x, nullptr};
  void* out[] = {y};
  k->Run(RunArgs{in, out, scratch.data(), stream.get(), state.get()});
  int wrong = 0;
  for (int r = 0; r < 2; ++r) {
    double sum = 0;
    for (int j = 0; j < 3; ++j) sum += std::exp(static_cast<double>(x[r * 3 + j]));
    for (int j = 0; j < 3; ++j) {
      const double want = std::exp(static_cast<double>(x[r * 3 + j])) / sum;
      if (!(std::fabs(y[r * 3 + j] - want) <= 1e-6)) ++wrong;
    }
  }
  if (wrong) std::fprintf(stderr, "SoftmaxOutput with an unbound label: %d wrong values\n", wrong);
  if (device.copies != 2) {
    std::fprintf(stderr, "SoftmaxOutput with an unbound label: %d copies, want data in and out\n",
                 device.copies);
    ++wrong;
  }
  return wrong;
}

}  // namespace

int main() {
  int failed = 0;
  try {
    failed += RunTanh(DType::kFloat32);
    failed += RunTanh(DType::kFloat16);
    failed += RunTanh(DType::kBfloat16);
    failed += RunChannelSoftmax(DType::kFloat32);
    failed += RunChannelSoftmax(DType::kFloat16);
    failed += RunUnboundLabel();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "host fallback: %s\n", e.what());
    return 1;
  }
  std::printf("host fallback: %d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
