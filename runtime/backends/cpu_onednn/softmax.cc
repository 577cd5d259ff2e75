// SPDX-License-Identifier: Apache-2.0
// The softmax family on oneDNN softmax (accurate or log) over the middle axis of an
// (outer, n, inner) view of the data. Temperature, a float64 output dtype and use_length have
// no oneDNN equivalent and run in a plain float32-input loop.
#include "ops/softmax.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <unordered_map>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

/// What every member of the family computes.
struct SoftmaxSpec {
  int64_t outer = 1;         ///< product of the dims before the axis
  int64_t n = 1;             ///< extent of the axis
  int64_t inner = 1;         ///< product of the dims after the axis
  bool log = false;          ///< log_softmax
  double temperature = 1.0;  ///< divisor of the inputs
  bool use_length = false;   ///< input 1 holds the valid length of each row
  DType length_dtype = DType::kInt32;  ///< int8, uint8, int32 or int64
};

/// Valid length of row `r`, clamped to [0, n] (MXNet reads past the row for larger values).
int64_t RowLength(const SoftmaxSpec& s, const void* length, int64_t r) {
  int64_t v = s.n;
  if (length) {
    switch (s.length_dtype) {
      case DType::kInt64:
        v = static_cast<const int64_t*>(length)[r];
        break;
      case DType::kInt8:
        v = static_cast<const int8_t*>(length)[r];
        break;
      case DType::kUint8:
        v = static_cast<const uint8_t*>(length)[r];
        break;
      default:
        v = static_cast<const int32_t*>(length)[r];
    }
  }
  return v < 0 ? 0 : v > s.n ? s.n : v;
}

float LoadF(const float* p, int64_t i) { return p[i]; }
float LoadF(const uint16_t* p, int64_t i) { return HalfToFloat(p[i]); }
template <typename T>
void StoreF(T* p, int64_t i, double v) {
  if constexpr (std::is_same_v<T, uint16_t>) {
    p[i] = FloatToHalf(static_cast<float>(v));
  } else {
    p[i] = static_cast<T>(v);
  }
}

/// Input TI (float, or uint16_t for float16 bits); output TO (float, double or float16 bits).
/// Accumulates in double.
template <typename TI, typename TO>
class SoftmaxRef final : public Kernel {
 public:
  explicit SoftmaxRef(const SoftmaxSpec& s) : s_(s) {}
  void Run(const RunArgs& args) const override {
    const TI* x = static_cast<const TI*>(args.in[0]);
    const void* length = s_.use_length ? args.in[1] : nullptr;
    TO* y = static_cast<TO*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < s_.outer; ++o) {
      for (int64_t i = 0; i < s_.inner; ++i) {
        const int64_t base = o * s_.n * s_.inner + i;
        const int64_t len = RowLength(s_, length, o * s_.inner + i);
        double mx = -INFINITY;
        for (int64_t k = 0; k < len; ++k) mx = std::max(mx, static_cast<double>(LoadF(x, base + k * s_.inner)));
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) sum += std::exp((LoadF(x, base + k * s_.inner) - mx) / s_.temperature);
        for (int64_t k = 0; k < s_.n; ++k) {
          double z = (LoadF(x, base + k * s_.inner) - mx) / s_.temperature;
          double v = k >= len ? 0.0 : s_.log ? z - std::log(sum) : std::exp(z) / sum;
          StoreF(y, base + k * s_.inner, v);
        }
      }
    }
  }
  std::string Describe() const override { return s_.log ? "ref:log_softmax" : "ref:softmax"; }

 private:
  SoftmaxSpec s_;
};

/// use_length over the last axis on oneDNN softmax: the rows are copied into the scratchpad with
/// the positions past each length set to the lowest finite value (their exp is 0), normalised
/// there by oneDNN, and the masked positions of the output set to 0 as MXNet leaves them.
/// T is float or uint16_t (bfloat16 bits).
template <typename T>
class MaskedSoftmax final : public Kernel {
 public:
  MaskedSoftmax(const std::string& what, const SoftmaxSpec& s, DType dtype) : what_(what), s_(s) {
    CallOneDnn(what_, [&] {
      md_ = dnnl::memory::desc({s.outer, s.n}, ToDnnl(dtype), dnnl::memory::format_tag::ab);
      auto algo = s.log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      auto pd = dnnl::softmax_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, algo, md_,
                                                      md_, 1, DefaultAttr());
      prim_ = dnnl::softmax_forward(pd);
      scratch_md_ = pd.scratchpad_desc();
      impl_ = pd.impl_info_str();
    });
    staged_bytes_ = (md_.get_size() + 63) / 64 * 64;
  }
  size_t ScratchpadBytes() const override { return staged_bytes_ + scratch_md_.get_size(); }
  std::string Describe() const override { return impl_ + "+length"; }
  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    T* y = static_cast<T*>(args.out[0]);
    T* staged = static_cast<T*>(args.scratchpad);
    const T lowest = Lowest();
    const int64_t n = s_.n;
#pragma omp parallel for if (s_.outer * n > (1 << 14))
    for (int64_t r = 0; r < s_.outer; ++r) {
      const int64_t len = RowLength(s_, args.in[1], r);
      std::memcpy(staged + r * n, x + r * n, static_cast<size_t>(len) * sizeof(T));
      for (int64_t k = len; k < n; ++k) staged[r * n + k] = lowest;
    }
    CallOneDnn(what_, [&] {
      auto& stream = static_cast<CpuStream*>(args.stream)->get();
      dnnl::memory src(md_, Engine(), staged), dst(md_, Engine(), y);
      std::unordered_map<int, dnnl::memory> map{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
      if (scratch_md_.get_size() > 0)
        map.emplace(DNNL_ARG_SCRATCHPAD,
                    dnnl::memory(scratch_md_, Engine(), static_cast<char*>(args.scratchpad) + staged_bytes_));
      prim_.execute(stream, map);
    });
#pragma omp parallel for if (s_.outer * n > (1 << 14))
    for (int64_t r = 0; r < s_.outer; ++r) {
      const int64_t len = RowLength(s_, args.in[1], r);
      for (int64_t k = len; k < n; ++k) y[r * n + k] = T(0);
    }
  }

 private:
  static T Lowest() {
    if constexpr (std::is_same_v<T, uint16_t>) {
      return 0xFF7F;  // the lowest finite bfloat16
    } else {
      return std::numeric_limits<float>::lowest();
    }
  }
  std::string what_;
  SoftmaxSpec s_;
  dnnl::memory::desc md_, scratch_md_;
  size_t staged_bytes_ = 0;
  dnnl::softmax_forward prim_;
  std::string impl_;
};

std::unique_ptr<Kernel> CreateRef(const KernelArgs& a, const SoftmaxSpec& s) {
  const std::string what = NodeDesc(a.node);
  DType t_in = a.in[0].dtype, t_out = a.out[0].dtype;
  if (t_in == DType::kFloat16) {
    MXS_CHECK_CODE(t_out == DType::kFloat16 || t_out == DType::kFloat32 || t_out == DType::kFloat64, kUnsupported)
        << "failed to plan " << what << ": float16 data cannot give " << DTypeName(t_out);
    if (t_out == DType::kFloat16) return std::make_unique<SoftmaxRef<uint16_t, uint16_t>>(s);
    if (t_out == DType::kFloat64) return std::make_unique<SoftmaxRef<uint16_t, double>>(s);
    return std::make_unique<SoftmaxRef<uint16_t, float>>(s);
  }
  MXS_CHECK_CODE((t_in == DType::kFloat32 || t_in == DType::kBfloat16) &&
                     (t_out == DType::kFloat32 || t_out == DType::kFloat64 || t_out == DType::kBfloat16 ||
                      t_out == DType::kFloat16),
                 kUnsupported)
      << "failed to plan " << what << ": unsupported dtypes " << DTypeName(t_in) << " to " << DTypeName(t_out);
  std::unique_ptr<Kernel> k;
  if (t_out == DType::kFloat64) {
    k = std::make_unique<SoftmaxRef<float, double>>(s);
  } else if (t_out == DType::kFloat16) {
    k = std::make_unique<SoftmaxRef<float, uint16_t>>(s);
  } else {
    k = std::make_unique<SoftmaxRef<float, float>>(s);
  }
  // bfloat16 activations reach the float32 loop through a conversion.
  return AdaptToLayouts(std::move(k), a);
}

std::unique_ptr<Kernel> CreateFor(const KernelArgs& a, const SoftmaxSpec& s) {
  const std::string what = NodeDesc(a.node);
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": softmax needs row-major data";
  DType t_in = a.in[0].dtype, t_out = a.out[0].dtype;
  const bool dnnl_type = t_in == DType::kFloat32 || t_in == DType::kBfloat16;
  if (s.temperature == 1.0 && !s.use_length && t_in == t_out && (dnnl_type || t_in == DType::kFloat16)) {
    // float16 runs on oneDNN only where the CPU has an implementation; else in the loop.
    auto k = CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      dnnl::memory::desc md({s.outer, s.n, s.inner}, ToDnnl(t_in), dnnl::memory::format_tag::abc);
      auto algo = s.log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      auto pd = dnnl::softmax_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, algo, md,
                                                      md, 1, DefaultAttr(), true);
      if (!pd) return nullptr;
      using Src = PrimitiveArg::Source;
      std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                     {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::softmax_forward(pd), pd, std::move(args));
    });
    if (k) return k;
  }
  if (s.temperature == 1.0 && s.use_length && s.inner == 1 && t_in == t_out && dnnl_type) {
    if (t_in == DType::kBfloat16) return std::make_unique<MaskedSoftmax<uint16_t>>(what, s, t_in);
    return std::make_unique<MaskedSoftmax<float>>(what, s, t_in);
  }
  return CreateRef(a, s);
}

/// masked_softmax: float32 data, a bool mask broadcast to it (element strides, 0 on broadcast
/// axes). Masked elements enter as the lowest float32 (so a fully masked row is uniform before
/// masking, as in MXNet) and leave as 0, or -inf for the log form.
class MaskedSoftmaxRef final : public Kernel {
 public:
  MaskedSoftmaxRef(const SoftmaxSpec& s, const Shape& data, const Shape& mask, int axis) : s_(s) {
    // Mask strides per data axis, folded into the (outer, n, inner) view.
    const int nd = data.ndim();
    std::vector<int64_t> ms(nd, 0);
    int64_t st = 1;
    for (int i = nd - 1; i >= 0; --i) {
      ms[i] = mask[i] == 1 ? 0 : st;
      st *= mask[i];
    }
    dims_ = data.dims();
    mask_strides_ = ms;
    axis_ = axis;
  }
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const bool* m = static_cast<const bool*>(args.in[1]);
    float* y = static_cast<float*>(args.out[0]);
    const float lowest = std::numeric_limits<float>::lowest();
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < s_.outer; ++o) {
      for (int64_t i = 0; i < s_.inner; ++i) {
        const int64_t base = o * s_.n * s_.inner + i;
        const int64_t mbase = MaskOffset(base);
        const int64_t mstep = mask_strides_[axis_];
        auto val = [&](int64_t k) { return m[mbase + k * mstep] ? x[base + k * s_.inner] : lowest; };
        double mx = -INFINITY;
        for (int64_t k = 0; k < s_.n; ++k) mx = std::max(mx, static_cast<double>(val(k)));
        double sum = 0;
        for (int64_t k = 0; k < s_.n; ++k) sum += std::exp((val(k) - mx) / s_.temperature);
        for (int64_t k = 0; k < s_.n; ++k) {
          const double z = (val(k) - mx) / s_.temperature;
          double v = s_.log ? z - std::log(sum) : std::exp(z) / sum;
          if (!m[mbase + k * mstep]) v = s_.log ? -INFINITY : 0.0;
          y[base + k * s_.inner] = static_cast<float>(v);
        }
      }
    }
  }
  std::string Describe() const override { return s_.log ? "ref:masked_log_softmax" : "ref:masked_softmax"; }

 private:
  // Mask element of data element `flat` (its index along the softmax axis taken as 0).
  int64_t MaskOffset(int64_t flat) const {
    int64_t off = 0;
    for (int d = static_cast<int>(dims_.size()) - 1; d >= 0; --d) {
      off += (flat % dims_[d]) * mask_strides_[d];
      flat /= dims_[d];
    }
    return off;
  }
  SoftmaxSpec s_;
  std::vector<int64_t> dims_;          ///< data dims
  std::vector<int64_t> mask_strides_;  ///< mask element stride per data axis (0 = broadcast)
  int axis_ = 0;                       ///< the softmax axis
};

/// The (outer, n, inner) split of `shape` around `axis`.
SoftmaxSpec Split(const Shape& shape, int axis) {
  SoftmaxSpec s;
  s.outer = ShapeProduct(shape, 0, axis);
  s.n = shape[axis];
  s.inner = ShapeProduct(shape, axis + 1, shape.ndim());
  return s;
}

std::unique_ptr<Kernel> CreateSoftmaxOrLog(const KernelArgs& a, bool log) {
  const auto& p = a.param<SoftmaxParam>();
  const Shape& shape = a.in[0].shape;
  SoftmaxSpec s = Split(shape, NormalizeAxis(p.axis, shape.ndim()));
  s.log = log;
  s.temperature = p.temperature;
  s.use_length = p.use_length;
  if (s.use_length) {
    s.length_dtype = a.in[1].dtype;
    MXS_CHECK_CODE(s.length_dtype == DType::kInt32 || s.length_dtype == DType::kInt64 ||
                       s.length_dtype == DType::kInt8 || s.length_dtype == DType::kUint8,
                   kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": length must be an integer tensor, got "
        << DTypeName(s.length_dtype);
  }
  return CreateFor(a, s);
}

std::unique_ptr<Kernel> CreateSoftmax(const KernelArgs& a) { return CreateSoftmaxOrLog(a, false); }
std::unique_ptr<Kernel> CreateLogSoftmax(const KernelArgs& a) { return CreateSoftmaxOrLog(a, true); }

std::unique_ptr<Kernel> CreateMasked(const KernelArgs& a, bool log) {
  const auto& p = a.param<MaskedSoftmaxParam>();
  const Shape& shape = a.in[0].shape;
  const int axis = NormalizeAxis(p.axis, shape.ndim());
  SoftmaxSpec s = Split(shape, axis);
  s.log = log;
  s.temperature = p.temperature;
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32 || a.in[0].dtype == DType::kBfloat16, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": only float32 data is supported, got "
      << DTypeName(a.in[0].dtype);
  return AdaptToLayouts(std::make_unique<MaskedSoftmaxRef>(s, shape, a.in[1].shape, axis), a);
}

std::unique_ptr<Kernel> CreateMaskedSoftmax(const KernelArgs& a) { return CreateMasked(a, false); }
std::unique_ptr<Kernel> CreateMaskedLogSoftmax(const KernelArgs& a) { return CreateMasked(a, true); }

std::unique_ptr<Kernel> CreateSoftmaxActivation(const KernelArgs& a) {
  const auto& p = a.param<SoftmaxActivationParam>();
  const Shape& shape = a.in[0].shape;
  // MXNet's instance mode flattens to 2-D keeping the last axis (mshadow FlatTo2D), so it is a
  // softmax over the last axis; channel mode works across axis 1.
  SoftmaxSpec s = Split(shape, p.channel ? 1 : shape.ndim() - 1);
  return CreateFor(a, s);
}

std::unique_ptr<Kernel> CreateSoftmaxOutput(const KernelArgs& a) {
  const auto& p = a.param<SoftmaxOutputParam>();
  const Shape& shape = a.in[0].shape;
  SoftmaxSpec s;
  if (p.multi_output && shape.ndim() >= 2) {
    s = Split(shape, 1);
  } else if (p.preserve_shape) {
    s = Split(shape, shape.ndim() - 1);
  } else {
    s.outer = shape[0];
    s.n = ShapeProduct(shape, 1, shape.ndim());
  }
  return CreateFor(a, s);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, softmax) {
  // CreateFor's dtypes; use_length's lengths are integers; masked_softmax's mask is bool.
  constexpr DTypeSet kFloats{DType::kFloat32, DType::kFloat16, DType::kBfloat16};
  constexpr DTypeSet kLengths{DType::kInt32, DType::kInt64, DType::kInt8, DType::kUint8};
  r.Add("softmax", cpu::CreateSoftmax, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .DTypes(kFloats)
      .Input(1, kLengths);
  r.Add("log_softmax", cpu::CreateLogSoftmax, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .DTypes(kFloats)
      .Input(1, kLengths);
  r.Add("masked_softmax", cpu::CreateMaskedSoftmax, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .Input(1, {DType::kBool});
  r.Add("masked_log_softmax", cpu::CreateMaskedLogSoftmax, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .Input(1, {DType::kBool});
  r.Add("SoftmaxActivation", cpu::CreateSoftmaxActivation).DTypes(kFloats);
  // The label (input 1) is never read.
  r.Add("SoftmaxOutput", cpu::CreateSoftmaxOutput).DTypes(kFloats).Input(1, dtypes::kAny);
}

}  // namespace mxserve
