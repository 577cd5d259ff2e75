// SPDX-License-Identifier: Apache-2.0
// InstanceNorm as a plain loop over (sample, channel) planes: mean, then the variance of the
// centred values (two passes, accumulated in double), then gamma * (x - mean) / sqrt(var + eps)
// + beta.
#include "ops/instance_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {
namespace {

class InstanceNormKernel final : public Kernel {
 public:
  InstanceNormKernel(const InstanceNormParam& p, const Shape& data)
      : eps_(p.eps), batch_(data[0]), channels_(data[1]),
        inner_(ShapeProduct(data, 2, data.ndim())) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    const float* beta = static_cast<const float*>(args.in[2]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t n = 0; n < batch_; ++n) {
      for (int64_t c = 0; c < channels_; ++c) {
        const float* xs = x + (n * channels_ + c) * inner_;
        float* ys = y + (n * channels_ + c) * inner_;
        double sum = 0;
        for (int64_t i = 0; i < inner_; ++i) sum += xs[i];
        const float mean = static_cast<float>(sum / static_cast<double>(inner_));
        double sq = 0;
        for (int64_t i = 0; i < inner_; ++i) {
          const float d = xs[i] - mean;
          sq += static_cast<double>(d) * d;
        }
        const float var = static_cast<float>(sq / static_cast<double>(inner_));
        const float std = std::sqrt(var + eps_);
        for (int64_t i = 0; i < inner_; ++i) ys[i] = gamma[c] * (xs[i] - mean) / std + beta[c];
      }
    }
  }
  std::string Describe() const override { return "ref:instance_norm"; }

 private:
  float eps_;
  int64_t batch_, channels_, inner_;
};

std::unique_ptr<Kernel> CreateInstanceNorm(const KernelArgs& a) {
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == DType::kFloat32 || t.dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(t.dtype)
        << " is not supported (float32 only)";
  }
  return AdaptToLayouts(
      std::make_unique<InstanceNormKernel>(a.param<InstanceNormParam>(), a.in[0].shape), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, instance_norm) { r.Add("InstanceNorm", cpu::CreateInstanceNorm); }

}  // namespace mxserve
