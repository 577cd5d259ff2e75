// SPDX-License-Identifier: Apache-2.0
// Activation on oneDNN eltwise; softsign (no oneDNN algorithm) is computed with soft_relu's
// sibling formula x / (1 + |x|) in a plain loop.
#include "ops/activation.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"

namespace mxserve {
namespace cpu {
namespace {

class SoftsignKernel final : public Kernel {
 public:
  explicit SoftsignKernel(int64_t n) : n_(n) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for
    for (int64_t i = 0; i < n_; ++i) y[i] = x[i] / (1.0f + std::fabs(x[i]));
  }
  std::string Describe() const override { return "ref:softsign"; }

 private:
  int64_t n_;
};

std::unique_ptr<Kernel> CreateActivation(const KernelArgs& a) {
  const auto& p = a.param<ActivationParam>();
  const std::string what = "Activation node '" + a.node.name + "'";
  if (p.act_type == "softsign") {
    MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32 || a.in[0].dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << what << ": softsign supports float32 only";
    return AdaptToLayouts(std::make_unique<SoftsignKernel>(a.in[0].shape.Size()), a);
  }
  using alg = dnnl::algorithm;
  alg algo = alg::eltwise_relu;
  float alpha = 0.f, beta = 0.f;
  if (p.act_type == "sigmoid") algo = alg::eltwise_logistic;
  if (p.act_type == "tanh") algo = alg::eltwise_tanh;
  if (p.act_type == "softrelu") algo = alg::eltwise_soft_relu, alpha = 1.f;
  if (p.act_type == "mish") algo = alg::eltwise_mish;
  if (p.act_type == "log_sigmoid") algo = alg::eltwise_soft_relu, alpha = -1.f;
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto md = ToMemDesc(a.in[0]);
    auto pd = dnnl::eltwise_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, algo,
                                                    md, ToMemDesc(a.out[0]), alpha, beta, DefaultAttr());
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, activation) { r.Add("Activation", cpu::CreateActivation, Backend::kSameLayout, Backend::kBf16SameType); }

}  // namespace mxserve
