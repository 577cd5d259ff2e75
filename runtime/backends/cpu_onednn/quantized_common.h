// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the CPU kernels of quantized operators: rounding with saturation as oneDNN's
// reorders do it (round half to even), MXNet's per-channel weight scales, and the range outputs
// every quantized node writes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backends/kernel.h"
#include "base/error.h"
#include "ops/quantization.h"

namespace mxserve {
namespace cpu {

/// `v` rounded half to even and clamped to T's range.
template <typename T>
inline T SaturateRound(float v) {
  const float lo = static_cast<float>(std::numeric_limits<T>::min());
  const float hi = static_cast<float>(std::numeric_limits<T>::max());
  const float r = std::nearbyint(v);
  if (!(r > lo)) return std::numeric_limits<T>::min();  // also NaN, as oneDNN gives the low end
  if (r >= hi) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

/// Writes the node's output range into outputs 1 and 2 (one value each, float32 or, in
/// bfloat16 mode where the planner chose it, bfloat16).
inline void WriteRangeOutputs(const RunArgs& args, const QuantRanges& r, DType dtype = DType::kFloat32) {
  if (dtype == DType::kBfloat16) {
    *static_cast<uint16_t*>(args.out[1]) = FloatToBfloat16(r.out_min);
    *static_cast<uint16_t*>(args.out[2]) = FloatToBfloat16(r.out_max);
    return;
  }
  *static_cast<float*>(args.out[1]) = r.out_min;
  *static_cast<float*>(args.out[2]) = r.out_max;
}

/// Runs a wrapped kernel, then writes the range outputs (as WriteRangeOutputs). `node`, when
/// given, is the node the wrapped kernel was made for (a float operator standing in for the
/// quantized one), kept alive with it.
class RangeOutputKernel final : public Kernel {
 public:
  RangeOutputKernel(std::unique_ptr<Kernel> inner, QuantRanges ranges, DType dtype,
                    std::unique_ptr<Node> node = nullptr)
      : node_(std::move(node)), inner_(std::move(inner)), ranges_(std::move(ranges)), dtype_(dtype) {}
  size_t ScratchpadBytes() const override { return inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  std::string Describe() const override { return inner_->Describe(); }
  void Run(const RunArgs& args) const override {
    inner_->Run(args);
    WriteRangeOutputs(args, ranges_, dtype_);
  }

 private:
  std::unique_ptr<Node> node_;
  std::unique_ptr<Kernel> inner_;
  QuantRanges ranges_;
  DType dtype_;  ///< of the range outputs
};

/// MXNet's GetWeightScales with channel-wise scales: 127.5 / max|w_c| per output channel
/// (`channels` rows of `per` float32 weights), lowered so that the int32 bias (`bias`, null when
/// there is none) cannot overflow at data scale `data_scale`.
inline std::vector<float> ChannelWeightScales(const float* w, int64_t channels, int64_t per, const float* bias,
                                              float data_scale) {
  std::vector<float> scales(channels);
  for (int64_t c = 0; c < channels; ++c) {
    float lo = w[c * per], hi = w[c * per];
    for (int64_t i = 1; i < per; ++i) lo = std::min(lo, w[c * per + i]), hi = std::max(hi, w[c * per + i]);
    float s = QuantizeScale(DType::kInt8, lo, hi);
    if (bias != nullptr && bias[c] != 0.f) {
      const float limit = bias[c] > 0 ? static_cast<float>(std::numeric_limits<int32_t>::max())
                                      : static_cast<float>(std::numeric_limits<int32_t>::min());
      s = std::min(s, limit / 2 / bias[c] / data_scale);
    }
    scales[c] = s;
  }
  return scales;
}

/// Throws unless passes/quantized_ranges.cc resolved `r`.
inline void CheckResolved(const QuantRanges& r, const std::string& what) {
  MXS_CHECK_CODE(r.resolved, kUnsupported)
      << "failed to plan " << what << ": its quantization ranges are not known at bind time";
}

}  // namespace cpu
}  // namespace mxserve
