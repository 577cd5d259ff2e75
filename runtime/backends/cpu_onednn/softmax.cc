// SPDX-License-Identifier: Apache-2.0
// The softmax family on oneDNN softmax (accurate or log) over the middle axis of an
// (outer, n, inner) view of the data. Temperature, a float64 output dtype and use_length have
// no oneDNN equivalent and run in a plain float32-input loop.
#include "ops/softmax.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
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
  bool use_length = false;   ///< input 1 holds the valid length of each row (int32)
};

/// float32 input; output float32 or float64 (T). Accumulates in double.
template <typename T>
class SoftmaxRef final : public Kernel {
 public:
  explicit SoftmaxRef(const SoftmaxSpec& s) : s_(s) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const int32_t* length = s_.use_length ? static_cast<const int32_t*>(args.in[1]) : nullptr;
    T* y = static_cast<T*>(args.out[0]);
#pragma omp parallel for collapse(2)
    for (int64_t o = 0; o < s_.outer; ++o) {
      for (int64_t i = 0; i < s_.inner; ++i) {
        const float* xr = x + o * s_.n * s_.inner + i;
        T* yr = y + o * s_.n * s_.inner + i;
        int64_t len = length ? std::min<int64_t>(std::max<int32_t>(length[o * s_.inner + i], 0), s_.n) : s_.n;
        double mx = -INFINITY;
        for (int64_t k = 0; k < len; ++k) mx = std::max(mx, static_cast<double>(xr[k * s_.inner]));
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) sum += std::exp((xr[k * s_.inner] - mx) / s_.temperature);
        for (int64_t k = 0; k < s_.n; ++k) {
          double z = (xr[k * s_.inner] - mx) / s_.temperature;
          double v = k >= len ? 0.0 : s_.log ? z - std::log(sum) : std::exp(z) / sum;
          yr[k * s_.inner] = static_cast<T>(v);
        }
      }
    }
  }
  std::string Describe() const override { return s_.log ? "ref:log_softmax" : "ref:softmax"; }

 private:
  SoftmaxSpec s_;
};

std::unique_ptr<Kernel> CreateFor(const KernelArgs& a, const SoftmaxSpec& s) {
  const std::string what = NodeDesc(a.node);
  MXS_CHECK_CODE(a.in[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": softmax needs row-major data";
  DType t_in = a.in[0].dtype, t_out = a.out[0].dtype;
  if (s.temperature == 1.0 && !s.use_length && t_in == t_out) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      dnnl::memory::desc md({s.outer, s.n, s.inner}, ToDnnl(t_in), dnnl::memory::format_tag::abc);
      auto algo = s.log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      auto pd = dnnl::softmax_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, algo, md,
                                                      md, 1, DefaultAttr());
      using Src = PrimitiveArg::Source;
      std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                     {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::softmax_forward(pd), pd, std::move(args));
    });
  }
  MXS_CHECK_CODE(t_in == DType::kFloat32 && (t_out == DType::kFloat32 || t_out == DType::kFloat64), kUnsupported)
      << "failed to plan " << what << ": temperature, use_length or a dtype change need float32 data and a "
      << "float32 or float64 output, got " << DTypeName(t_in) << " to " << DTypeName(t_out);
  MXS_CHECK_CODE(!s.use_length || a.in[1].dtype == DType::kInt32, kUnsupported)
      << "failed to plan " << what << ": length must be int32, got " << DTypeName(a.in[1].dtype);
  if (t_out == DType::kFloat64) return std::make_unique<SoftmaxRef<double>>(s);
  return std::make_unique<SoftmaxRef<float>>(s);
}

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
  return CreateFor(a, s);
}

std::unique_ptr<Kernel> CreateSoftmax(const KernelArgs& a) { return CreateSoftmaxOrLog(a, false); }
std::unique_ptr<Kernel> CreateLogSoftmax(const KernelArgs& a) { return CreateSoftmaxOrLog(a, true); }

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
  r.Add("softmax", cpu::CreateSoftmax);
  r.Add("log_softmax", cpu::CreateLogSoftmax);
  r.Add("SoftmaxActivation", cpu::CreateSoftmaxActivation);
  r.Add("SoftmaxOutput", cpu::CreateSoftmaxOutput);
}

}  // namespace mxserve
