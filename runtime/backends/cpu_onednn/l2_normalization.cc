// SPDX-License-Identifier: Apache-2.0
// L2Normalization as a plain loop: data viewed as (outer, reduced, inner) with the sum of
// squares over the middle axis (instance: (N, rest, 1); channel: (N, C, spatial); spatial:
// (N * C, spatial, 1)), accumulated in double.
#include "ops/l2_normalization.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {
namespace {

class L2NormalizationKernel final : public Kernel {
 public:
  L2NormalizationKernel(float eps, int64_t outer, int64_t reduced, int64_t inner)
      : eps_(eps), outer_(outer), reduced_(reduced), inner_(inner) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const float* xs = x + o * reduced_ * inner_ + i;
        float* ys = y + o * reduced_ * inner_ + i;
        double sq = 0;
        for (int64_t r = 0; r < reduced_; ++r) sq += static_cast<double>(xs[r * inner_]) * xs[r * inner_];
        const float norm = std::sqrt(static_cast<float>(sq) + eps_);
        for (int64_t r = 0; r < reduced_; ++r) ys[r * inner_] = xs[r * inner_] / norm;
      }
    }
  }
  std::string Describe() const override { return "ref:l2_normalization"; }

 private:
  float eps_;
  int64_t outer_, reduced_, inner_;
};

std::unique_ptr<Kernel> CreateL2Normalization(const KernelArgs& a) {
  const auto& p = a.param<L2NormalizationParam>();
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kBfloat16, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(dt)
      << " is not supported (float32 only)";
  const Shape& s = a.in[0].shape;
  int64_t outer = s[0], reduced = ShapeProduct(s, 1, s.ndim()), inner = 1;
  if (p.mode == "channel") reduced = s[1], inner = ShapeProduct(s, 2, s.ndim());
  if (p.mode == "spatial") outer = s[0] * s[1], reduced = ShapeProduct(s, 2, s.ndim());
  return AdaptToLayouts(std::make_unique<L2NormalizationKernel>(p.eps, outer, reduced, inner), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, l2_normalization) {
  r.Add("L2Normalization", cpu::CreateL2Normalization);
}

}  // namespace mxserve
