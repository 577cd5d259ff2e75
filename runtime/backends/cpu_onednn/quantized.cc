// SPDX-License-Identifier: Apache-2.0
// quantize_v2, dequantize and requantize as element-wise loops with MXNet's scales: float32 ->
// int8/uint8 is round(x * scale) with saturation, the other way x * scale.
#include "ops/quantized.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/quantized_common.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename In, typename Out, typename Fn>
void Map(const void* in, void* out, int64_t n, Fn fn) {
  const In* x = static_cast<const In*>(in);
  Out* y = static_cast<Out*>(out);
#pragma omp parallel for
  for (int64_t i = 0; i < n; ++i) y[i] = fn(x[i]);
}

/// Converts input 0 element by element with `scale` and writes the range outputs.
class ScaleKernel final : public Kernel {
 public:
  ScaleKernel(DType in, DType out, float scale, QuantRanges ranges, bool range_outputs, int64_t n)
      : in_(in), out_(out), scale_(scale), ranges_(ranges), range_outputs_(range_outputs), n_(n) {}
  void Run(const RunArgs& args) const override {
    const float s = scale_;
    if (in_ == out_) {
      std::memcpy(args.out[0], args.in[0], n_ * DTypeSize(in_));
    } else if (in_ == DType::kFloat32 && out_ == DType::kInt8) {
      Map<float, int8_t>(args.in[0], args.out[0], n_, [s](float x) { return SaturateRound<int8_t>(x * s); });
    } else if (in_ == DType::kFloat32 && out_ == DType::kUint8) {
      Map<float, uint8_t>(args.in[0], args.out[0], n_, [s](float x) { return SaturateRound<uint8_t>(x * s); });
    } else if (in_ == DType::kInt8) {
      Map<int8_t, float>(args.in[0], args.out[0], n_, [s](int8_t x) { return x * s; });
    } else if (in_ == DType::kUint8) {
      Map<uint8_t, float>(args.in[0], args.out[0], n_, [s](uint8_t x) { return x * s; });
    } else if (out_ == DType::kInt8) {
      Map<int32_t, int8_t>(args.in[0], args.out[0], n_,
                           [s](int32_t x) { return SaturateRound<int8_t>(static_cast<float>(x) * s); });
    } else {
      Map<int32_t, uint8_t>(args.in[0], args.out[0], n_,
                            [s](int32_t x) { return SaturateRound<uint8_t>(static_cast<float>(x) * s); });
    }
    if (range_outputs_) WriteRangeOutputs(args, ranges_);
  }
  std::string Describe() const override { return "ref:quantize"; }

 private:
  DType in_, out_;
  float scale_;
  QuantRanges ranges_;
  bool range_outputs_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateQuantizeV2(const KernelArgs& a) {
  const auto& p = a.param<QuantizeV2Param>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  float scale = 1.f;
  if (a.in[0].dtype == DType::kFloat32) {
    const float real = MaxAbs(*p.calib.min, *p.calib.max);
    scale = (a.out[0].dtype == DType::kInt8 ? kInt8Range : kUint8Range) / real;
  }
  return std::make_unique<ScaleKernel>(a.in[0].dtype, a.out[0].dtype, scale, p.ranges, true,
                                       a.in[0].shape.Size());
}

std::unique_ptr<Kernel> CreateDequantize(const KernelArgs& a) {
  const auto& p = a.param<DequantizeParam>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  const float real = MaxAbs(p.ranges.in[0], p.ranges.in[1]);
  const float scale = real / (a.in[0].dtype == DType::kInt8 ? kInt8Range : kUint8Range);
  return std::make_unique<ScaleKernel>(a.in[0].dtype, DType::kFloat32, scale, p.ranges, false,
                                       a.in[0].shape.Size());
}

std::unique_ptr<Kernel> CreateRequantize(const KernelArgs& a) {
  const auto& p = a.param<RequantizeParam>();
  CheckResolved(p.ranges, NodeDesc(a.node));
  const float first = MaxAbs(p.ranges.in[0], p.ranges.in[1]) / QuantizedExtent(DType::kInt32);
  const float real = MaxAbs(*p.calib.min, *p.calib.max);
  const float second = (a.out[0].dtype == DType::kInt8 ? 127.f : 255.f) / real;
  return std::make_unique<ScaleKernel>(DType::kInt32, a.out[0].dtype, first * second, p.ranges, true,
                                       a.in[0].shape.Size());
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, quantized) {
  r.Add("_contrib_quantize_v2", cpu::CreateQuantizeV2, Backend::kSameLayout)
      .DTypes(dtypes::kQuantized);
  r.Add("_contrib_dequantize", cpu::CreateDequantize, Backend::kSameLayout)
      .DTypes(dtypes::kQuantized);
  r.Add("_contrib_requantize", cpu::CreateRequantize, Backend::kSameLayout)
      .DTypes({DType::kFloat32, DType::kInt32});
}

}  // namespace mxserve
