// SPDX-License-Identifier: Apache-2.0
// GroupNorm as a plain loop over (sample, group) blocks: mean, then the variance of the
// centred values (two passes, accumulated in double), then (x - mean) / std * gamma + beta.
#include "ops/group_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {
namespace {

class GroupNormKernel final : public Kernel {
 public:
  GroupNormKernel(const GroupNormParam& p, const Shape& data, bool per_channel)
      : p_(p), batch_(data[0]), channels_(data[1]),
        inner_(ShapeProduct(data, 2, data.ndim())), per_channel_(per_channel) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    const float* beta = static_cast<const float*>(args.in[2]);
    float* y = static_cast<float*>(args.out[0]);
    float* out_mean = p_.output_mean_var ? static_cast<float*>(args.out[1]) : nullptr;
    float* out_std = p_.output_mean_var ? static_cast<float*>(args.out[2]) : nullptr;
    const int64_t groups = p_.num_groups, cpg = channels_ / groups, size = cpg * inner_;
#pragma omp parallel for collapse(2)
    for (int64_t n = 0; n < batch_; ++n) {
      for (int64_t g = 0; g < groups; ++g) {
        const int64_t base = (n * groups + g) * size;
        double sum = 0;
        for (int64_t i = 0; i < size; ++i) sum += x[base + i];
        const float mean = static_cast<float>(sum / static_cast<double>(size));
        double sq = 0;
        for (int64_t i = 0; i < size; ++i) {
          const float c = x[base + i] - mean;
          sq += static_cast<double>(c) * c;
        }
        const float std = std::sqrt(static_cast<float>(sq / static_cast<double>(size)) + p_.eps);
        for (int64_t c = 0; c < cpg; ++c) {
          const int64_t k = per_channel_ ? g * cpg + c : g;
          const float* xs = x + base + c * inner_;
          float* ys = y + base + c * inner_;
          for (int64_t i = 0; i < inner_; ++i) ys[i] = (xs[i] - mean) / std * gamma[k] + beta[k];
        }
        if (out_mean) {
          out_mean[n * groups + g] = mean;
          out_std[n * groups + g] = std;
        }
      }
    }
  }
  std::string Describe() const override { return "ref:group_norm"; }

 private:
  GroupNormParam p_;
  int64_t batch_, channels_, inner_;
  bool per_channel_;  ///< gamma and beta have one entry per channel, not per group
};

std::unique_ptr<Kernel> CreateGroupNorm(const KernelArgs& a) {
  const auto& p = a.param<GroupNormParam>();
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == DType::kFloat32 || t.dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(t.dtype)
        << " is not supported (float32 only)";
  }
  const bool per_channel = a.in[1].shape[0] != p.num_groups;
  return AdaptToLayouts(std::make_unique<GroupNormKernel>(p, a.in[0].shape, per_channel), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, group_norm) { r.Add("GroupNorm", cpu::CreateGroupNorm); }

}  // namespace mxserve
