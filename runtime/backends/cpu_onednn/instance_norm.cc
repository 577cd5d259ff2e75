// SPDX-License-Identifier: Apache-2.0
// InstanceNorm as a plain loop over (sample, channel) planes: mean, then the variance of the
// centred values (two passes, accumulated in double), then gamma * (x - mean) / sqrt(var + eps)
// + beta; row-major or channels-last (the data and output share one layout).
#include "ops/instance_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/ncs_view.h"

namespace mxserve {
namespace cpu {
namespace {

class InstanceNormKernel final : public Kernel {
 public:
  InstanceNormKernel(const InstanceNormParam& p, const TensorDesc& data)
      : eps_(p.eps), v_(data) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    const float* beta = static_cast<const float*>(args.in[2]);
    float* y = static_cast<float*>(args.out[0]);
    const int64_t size = v_.spatial, step = v_.s_stride;
#pragma omp parallel for collapse(2)
    for (int64_t n = 0; n < v_.batch; ++n) {
      for (int64_t c = 0; c < v_.channels; ++c) {
        const float* xs = x + v_.offset(n, c, 0);
        float* ys = y + v_.offset(n, c, 0);
        double sum = 0;
        for (int64_t i = 0; i < size; ++i) sum += xs[i * step];
        const float mean = static_cast<float>(sum / static_cast<double>(size));
        double sq = 0;
        for (int64_t i = 0; i < size; ++i) {
          const float d = xs[i * step] - mean;
          sq += static_cast<double>(d) * d;
        }
        const float var = static_cast<float>(sq / static_cast<double>(size));
        const float std = std::sqrt(var + eps_);
        for (int64_t i = 0; i < size; ++i)
          ys[i * step] = gamma[c] * (xs[i * step] - mean) / std + beta[c];
      }
    }
  }
  std::string Describe() const override {
    return v_.s_stride == 1 ? "ref:instance_norm" : "ref:instance_norm_nhwc";
  }

 private:
  float eps_;
  NcsView v_;
};

std::unique_ptr<Kernel> CreateInstanceNorm(const KernelArgs& a) {
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(t.dtype)
        << " is not supported (float32 only)";
  }
  // Registered kSameLayout: data and output share one layout (gamma and beta are 1-D).
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  return std::make_unique<InstanceNormKernel>(a.param<InstanceNormParam>(), a.in[0]);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, instance_norm) {
  r.Add("InstanceNorm", cpu::CreateInstanceNorm, Backend::kSameLayout);
}

}  // namespace mxserve
