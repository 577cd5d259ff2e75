// SPDX-License-Identifier: Apache-2.0
// GroupNorm as a plain loop over (sample, group) blocks: mean, then the variance of the
// centred values (two passes, accumulated in double), then (x - mean) / std * gamma + beta;
// row-major or channels-last (the data and output share one layout).
#include "ops/group_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/ncs_view.h"

namespace mxserve {
namespace cpu {
namespace {

class GroupNormKernel final : public Kernel {
 public:
  GroupNormKernel(const GroupNormParam& p, const TensorDesc& data, bool per_channel)
      : p_(p), v_(data), per_channel_(per_channel) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    const float* beta = static_cast<const float*>(args.in[2]);
    float* y = static_cast<float*>(args.out[0]);
    float* out_mean = p_.output_mean_var ? static_cast<float*>(args.out[1]) : nullptr;
    float* out_std = p_.output_mean_var ? static_cast<float*>(args.out[2]) : nullptr;
    const int64_t groups = p_.num_groups, cpg = v_.channels / groups, inner = v_.spatial;
    const int64_t step = v_.s_stride;
    const double size = static_cast<double>(cpg * inner);
#pragma omp parallel for collapse(2)
    for (int64_t n = 0; n < v_.batch; ++n) {
      for (int64_t g = 0; g < groups; ++g) {
        double sum = 0;
        for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
          const float* xs = x + v_.offset(n, c, 0);
          for (int64_t i = 0; i < inner; ++i) sum += xs[i * step];
        }
        const float mean = static_cast<float>(sum / size);
        double sq = 0;
        for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
          const float* xs = x + v_.offset(n, c, 0);
          for (int64_t i = 0; i < inner; ++i) {
            const float d = xs[i * step] - mean;
            sq += static_cast<double>(d) * d;
          }
        }
        const float std = std::sqrt(static_cast<float>(sq / size) + p_.eps);
        for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c) {
          const int64_t k = per_channel_ ? c : g;
          const float* xs = x + v_.offset(n, c, 0);
          float* ys = y + v_.offset(n, c, 0);
          for (int64_t i = 0; i < inner; ++i)
            ys[i * step] = (xs[i * step] - mean) / std * gamma[k] + beta[k];
        }
        if (out_mean) {
          out_mean[n * groups + g] = mean;
          out_std[n * groups + g] = std;
        }
      }
    }
  }
  std::string Describe() const override {
    return v_.s_stride == 1 ? "ref:group_norm" : "ref:group_norm_nhwc";
  }

 private:
  GroupNormParam p_;
  NcsView v_;
  bool per_channel_;  ///< gamma and beta have one entry per channel, not per group
};

std::unique_ptr<Kernel> CreateGroupNorm(const KernelArgs& a) {
  const auto& p = a.param<GroupNormParam>();
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(t.dtype)
        << " is not supported (float32 only)";
  }
  const bool per_channel = a.in[1].shape[0] != p.num_groups;
  // Registered kSameLayout: data and output share one layout (the other tensors are 1-D or 2-D).
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  return std::make_unique<GroupNormKernel>(p, a.in[0], per_channel);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, group_norm) {
  r.Add("GroupNorm", cpu::CreateGroupNorm, Backend::kSameLayout);
}

}  // namespace mxserve
