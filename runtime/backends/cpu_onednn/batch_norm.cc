// SPDX-License-Identifier: Apache-2.0
// BatchNorm on oneDNN batch_normalization with the moving statistics (use_global_stats) when the
// channel axis is 1; a plain loop for other axes and when the mean and inverse std are also
// requested (oneDNN does not return them at inference).
#include "ops/batch_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"

namespace mxserve {
namespace cpu {
namespace {

/// float32 reference: data viewed as (outer, channels, inner).
class BatchNormRef final : public Kernel {
 public:
  BatchNormRef(const BatchNormParam& p, int64_t outer, int64_t channels, int64_t inner)
      : p_(p), outer_(outer), channels_(channels), inner_(inner) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    const float* beta = static_cast<const float*>(args.in[2]);
    const float* mean = static_cast<const float*>(args.in[3]);
    const float* var = static_cast<const float*>(args.in[4]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t c = 0; c < channels_; ++c) {
        float invstd = 1.0f / std::sqrt(var[c] + static_cast<float>(p_.eps));
        float scale = (p_.fix_gamma ? 1.0f : gamma[c]) * invstd;
        float shift = beta[c] - mean[c] * scale;
        const float* xs = x + (o * channels_ + c) * inner_;
        float* ys = y + (o * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) ys[i] = xs[i] * scale + shift;
      }
    }
    if (p_.output_mean_var) {
      float* out_mean = static_cast<float*>(args.out[1]);
      float* out_invstd = static_cast<float*>(args.out[2]);
      for (int64_t c = 0; c < channels_; ++c) {
        out_mean[c] = mean[c];
        out_invstd[c] = 1.0f / std::sqrt(var[c] + static_cast<float>(p_.eps));
      }
    }
  }
  std::string Describe() const override { return "ref:batch_norm"; }

 private:
  BatchNormParam p_;
  int64_t outer_, channels_, inner_;
};

std::unique_ptr<Kernel> CreateBatchNorm(const KernelArgs& a) {
  const auto& p = a.param<BatchNormParam>();
  const std::string what = NodeDesc(a.node);
  const Shape& shape = a.in[0].shape;
  const int axis = NormalizeAxis(p.axis, shape.ndim());
  const bool dnnl_ok = axis == 1 && shape.ndim() >= 2 && shape.ndim() <= 5 && !p.output_mean_var;
  if (!dnnl_ok) {
    MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32 || a.in[0].dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << what << ": axis " << p.axis
        << " or output_mean_var is supported for float32 data only";
    return AdaptToLayouts(std::make_unique<BatchNormRef>(p, ShapeProduct(shape, 0, axis), shape[axis],
                                          ShapeProduct(shape, axis + 1, shape.ndim())), a);
  }
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    using flags = dnnl::normalization_flags;
    auto md = ToMemDesc(a.in[0]);
    auto pd = dnnl::batch_normalization_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, md, ToMemDesc(a.out[0]),
        static_cast<float>(p.eps), flags::use_global_stats | flags::use_scale | flags::use_shift,
        DefaultAttr());
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                   {DNNL_ARG_MEAN, pd.mean_desc(), Src::kInput, 3, nullptr},
                                   {DNNL_ARG_VARIANCE, pd.variance_desc(), Src::kInput, 4, nullptr},
                                   {DNNL_ARG_SHIFT, pd.weights_desc(), Src::kInput, 2, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
    if (p.fix_gamma) {
      // MXNet ignores the stored gamma; a constant vector of ones takes its place.
      auto ones = std::make_shared<Buffer>(pd.weights_desc().get_size());
      float* f = static_cast<float*>(ones->data());
      for (int64_t c = 0; c < shape[1]; ++c) f[c] = 1.0f;
      args.push_back({DNNL_ARG_SCALE, pd.weights_desc(), Src::kConstant, 0, ones});
    } else {
      args.push_back({DNNL_ARG_SCALE, pd.weights_desc(), Src::kInput, 1, nullptr});
    }
    return std::make_unique<PrimitiveKernel>(what, dnnl::batch_normalization_forward(pd), pd,
                                             std::move(args));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, batch_norm) {
  r.Add("BatchNorm", cpu::CreateBatchNorm, Backend::kSameLayout, Backend::kBf16SameType);
  r.Add("BatchNorm_v1", cpu::CreateBatchNorm, Backend::kSameLayout, Backend::kBf16SameType);
  r.Add("_contrib_SyncBatchNorm", cpu::CreateBatchNorm, Backend::kSameLayout,
        Backend::kBf16SameType);
}

}  // namespace mxserve
