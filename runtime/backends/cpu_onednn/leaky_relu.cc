// SPDX-License-Identifier: Apache-2.0
// LeakyReLU: leaky, elu and gelu (erf form) on oneDNN eltwise, as MXNet's MKLDNN build does;
// selu, prelu (per-channel slope) and rrelu (second output) in plain float32 loops.
#include "ops/leaky_relu.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluLambda = 1.0507009873554804934193349852946f;

class SeluKernel final : public Kernel {
 public:
  explicit SeluKernel(int64_t n) : n_(n) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for
    for (int64_t i = 0; i < n_; ++i) y[i] = kSeluLambda * (x[i] > 0 ? x[i] : kSeluAlpha * std::expm1(x[i]));
  }
  std::string Describe() const override { return "ref:selu"; }

 private:
  int64_t n_;
};

/// prelu: data viewed as (outer, channels, inner); gamma has g_outer x g_channels entries, each
/// count either 1 (broadcast) or the data extent.
class PReluKernel final : public Kernel {
 public:
  PReluKernel(int64_t outer, int64_t channels, int64_t inner, int64_t g_outer, int64_t g_channels)
      : outer_(outer), channels_(channels), inner_(inner), g_outer_(g_outer), g_channels_(g_channels) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* gamma = static_cast<const float*>(args.in[1]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t c = 0; c < channels_; ++c) {
        float g = gamma[(g_outer_ > 1 ? o : 0) * g_channels_ + (g_channels_ > 1 ? c : 0)];
        const int64_t base = (o * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) {
          float v = x[base + i];
          y[base + i] = v > 0 ? v : v * g;
        }
      }
    }
  }
  std::string Describe() const override { return "ref:prelu"; }

 private:
  int64_t outer_, channels_, inner_, g_outer_, g_channels_;
};

/// rrelu at inference: a fixed slope; the mask output holds that slope for every element.
class RReluKernel final : public Kernel {
 public:
  RReluKernel(int64_t n, float slope) : n_(n), slope_(slope) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
    float* mask = static_cast<float*>(args.out[1]);
#pragma omp parallel for
    for (int64_t i = 0; i < n_; ++i) {
      y[i] = x[i] > 0 ? x[i] : x[i] * slope_;
      mask[i] = slope_;
    }
  }
  std::string Describe() const override { return "ref:rrelu"; }

 private:
  int64_t n_;
  float slope_;
};

std::unique_ptr<Kernel> CreateLeakyReLU(const KernelArgs& a) {
  const auto& p = a.param<LeakyReLUParam>();
  const std::string what = "LeakyReLU node '" + a.node.name + "'";
  const Shape& shape = a.in[0].shape;
  using alg = dnnl::algorithm;
  if (p.act_type == "leaky" || p.act_type == "elu" || p.act_type == "gelu") {
    alg algo = p.act_type == "leaky" ? alg::eltwise_relu : p.act_type == "elu" ? alg::eltwise_elu : alg::eltwise_gelu_erf;
    float alpha = p.act_type == "gelu" ? 0.f : p.slope;
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      auto pd = dnnl::eltwise_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, algo,
                                                      ToMemDesc(a.in[0]), ToMemDesc(a.out[0]), alpha, 0.f,
                                                      DefaultAttr());
      using Src = PrimitiveArg::Source;
      std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                     {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
    });
  }
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << what << ": act_type " << p.act_type << " supports float32 only";
  if (p.act_type == "selu") return std::make_unique<SeluKernel>(shape.Size());
  if (p.act_type == "rrelu") {
    return std::make_unique<RReluKernel>(shape.Size(), (p.lower_bound + p.upper_bound) / 2.0f);
  }
  // prelu: place gamma's dims on data axes 0 and 1 from the right, as InferShape checked.
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": prelu needs row-major data";
  const PReluGamma g = PReluGammaOf(shape, a.in[1].shape);
  int64_t outer = shape[0];
  int64_t channels = shape.ndim() > 1 ? shape[1] : 1;
  return std::make_unique<PReluKernel>(outer, channels, shape.Size() / std::max<int64_t>(outer * channels, 1),
                                       g.batch, g.channels);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, leaky_relu) { r.Add("LeakyReLU", cpu::CreateLeakyReLU); }

}  // namespace mxserve
