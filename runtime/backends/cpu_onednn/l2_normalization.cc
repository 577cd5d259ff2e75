// SPDX-License-Identifier: Apache-2.0
// L2Normalization as a plain loop over data seen as (N, C, S): the sum of squares (accumulated
// in double) over (C, S) per sample (instance), over C per position (channel) or over S per
// channel (spatial); row-major or channels-last (the data and output share one layout).
#include "ops/l2_normalization.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/ncs_view.h"

namespace mxserve {
namespace cpu {
namespace {

class L2NormalizationKernel final : public Kernel {
 public:
  L2NormalizationKernel(float eps, const std::string& mode, const TensorDesc& data)
      : eps_(eps), v_(data) {
    // Each norm covers `cs` channels by `ss` positions, starting at (n, c0, s0) where c0 and s0
    // step through the (channels / cs) by (spatial / ss) other combinations.
    cs_ = mode == "spatial" ? 1 : v_.channels;
    ss_ = mode == "channel" ? 1 : v_.spatial;
  }

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
    const int64_t nc = v_.channels / cs_, ns = v_.spatial / ss_;
#pragma omp parallel for collapse(3)
    for (int64_t n = 0; n < v_.batch; ++n) {
      for (int64_t c0 = 0; c0 < nc; ++c0) {
        for (int64_t s0 = 0; s0 < ns; ++s0) {
          double sq = 0;
          for (int64_t c = c0; c < c0 + cs_; ++c) {
            for (int64_t s = s0; s < s0 + ss_; ++s) {
              const float v = x[v_.offset(n, c, s)];
              sq += static_cast<double>(v) * v;
            }
          }
          const float norm = std::sqrt(static_cast<float>(sq) + eps_);
          for (int64_t c = c0; c < c0 + cs_; ++c) {
            for (int64_t s = s0; s < s0 + ss_; ++s) {
              const int64_t k = v_.offset(n, c, s);
              y[k] = x[k] / norm;
            }
          }
        }
      }
    }
  }
  std::string Describe() const override {
    return v_.s_stride == 1 ? "ref:l2_normalization" : "ref:l2_normalization_nhwc";
  }

 private:
  float eps_;
  NcsView v_;
  int64_t cs_, ss_;  ///< channels and positions one norm covers
};

std::unique_ptr<Kernel> CreateL2Normalization(const KernelArgs& a) {
  const auto& p = a.param<L2NormalizationParam>();
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(dt)
      << " is not supported (float32 only)";
  // Registered kSameLayout: data and output share one layout.
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  return std::make_unique<L2NormalizationKernel>(p.eps, p.mode, a.in[0]);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, l2_normalization) {
  r.Add("L2Normalization", cpu::CreateL2Normalization, Backend::kSameLayout);
}

}  // namespace mxserve
