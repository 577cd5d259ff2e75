// SPDX-License-Identifier: Apache-2.0
// LayerNorm on oneDNN layer_normalization (scale and shift) when the axis is the last one and
// only the normalised data is requested, in float32 or bfloat16. Other axes, the mean/std
// outputs and float16 data run in a plain loop over an (outer, n, inner) view that accumulates
// in double.
#include "ops/layer_norm.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

float Load(const float* p, int64_t i) { return p[i]; }
float Load(const uint16_t* p, int64_t i) { return HalfToFloat(p[i]); }
void Store(float* p, int64_t i, double v) { p[i] = static_cast<float>(v); }
void Store(uint16_t* p, int64_t i, double v) { p[i] = FloatToHalf(static_cast<float>(v)); }

/// T is float (float32) or uint16_t (float16 bits); gamma and beta have the data's dtype.
template <typename T>
class LayerNormRef final : public Kernel {
 public:
  LayerNormRef(const LayerNormParam& p, int64_t outer, int64_t n, int64_t inner)
      : p_(p), outer_(outer), n_(n), inner_(inner) {}
  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    const T* gamma = static_cast<const T*>(args.in[1]);
    const T* beta = static_cast<const T*>(args.in[2]);
    T* y = static_cast<T*>(args.out[0]);
    T* out_mean = p_.output_mean_var ? static_cast<T*>(args.out[1]) : nullptr;
    T* out_std = p_.output_mean_var ? static_cast<T*>(args.out[2]) : nullptr;
#pragma omp parallel for collapse(2) if (outer_ * n_ * inner_ > (1 << 12))
    for (int64_t o = 0; o < outer_; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const int64_t base = o * n_ * inner_ + i;
        double sum = 0;
        for (int64_t k = 0; k < n_; ++k) sum += Load(x, base + k * inner_);
        const double mean = sum / static_cast<double>(n_);
        double sq = 0;
        for (int64_t k = 0; k < n_; ++k) {
          const double d = Load(x, base + k * inner_) - mean;
          sq += d * d;
        }
        const double std = std::sqrt(sq / static_cast<double>(n_) + p_.eps);
        for (int64_t k = 0; k < n_; ++k) {
          const double v = (Load(x, base + k * inner_) - mean) / std;
          Store(y, base + k * inner_, v * Load(gamma, k) + Load(beta, k));
        }
        if (out_mean) {
          Store(out_mean, o * inner_ + i, mean);
          Store(out_std, o * inner_ + i, std);
        }
      }
    }
  }
  std::string Describe() const override { return "ref:layer_norm"; }

 private:
  LayerNormParam p_;
  int64_t outer_, n_, inner_;
};

std::unique_ptr<Kernel> CreateLayerNorm(const KernelArgs& a) {
  const auto& p = a.param<LayerNormParam>();
  const std::string what = NodeDesc(a.node);
  const Shape& shape = a.in[0].shape;
  const int axis = NormalizeAxis(p.axis, shape.ndim());
  const DType dt = a.in[0].dtype;
  const int64_t outer = ShapeProduct(shape, 0, axis), n = shape[axis];
  const int64_t inner = ShapeProduct(shape, axis + 1, shape.ndim());
  const bool dnnl_ok = axis == shape.ndim() - 1 && !p.output_mean_var && a.in[1].dtype == DType::kFloat32 &&
                       a.in[2].dtype == DType::kFloat32 && (dt == DType::kFloat32 || dt == DType::kBfloat16) &&
                       outer > 0 && n > 0;
  if (!dnnl_ok) {
    if (dt == DType::kFloat16) {
      MXS_CHECK_CODE(a.in[1].dtype == dt && a.in[2].dtype == dt, kUnsupported)
          << "failed to plan " << what << ": float16 data needs float16 gamma and beta";
      return std::make_unique<LayerNormRef<uint16_t>>(p, outer, n, inner);
    }
    MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kBfloat16, kUnsupported)
        << "failed to plan " << what << ": data of dtype " << DTypeName(dt) << " is not supported";
    return AdaptToLayouts(std::make_unique<LayerNormRef<float>>(p, outer, n, inner), a);
  }
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    using flags = dnnl::normalization_flags;
    dnnl::memory::desc src({outer, n}, ToDnnl(dt), dnnl::memory::format_tag::ab);
    dnnl::memory::desc dst({outer, n}, ToDnnl(a.out[0].dtype), dnnl::memory::format_tag::ab);
    auto pd = dnnl::layer_normalization_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, src, dst, static_cast<float>(p.eps),
        flags::use_scale | flags::use_shift, DefaultAttr());
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                   {DNNL_ARG_SCALE, pd.weights_desc(), Src::kInput, 1, nullptr},
                                   {DNNL_ARG_SHIFT, pd.weights_desc(), Src::kInput, 2, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::layer_normalization_forward(pd), pd, std::move(args));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, layer_norm) {
  r.Add("LayerNorm", cpu::CreateLayerNorm, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .DTypes({DType::kFloat32, DType::kFloat16});
}

}  // namespace mxserve
