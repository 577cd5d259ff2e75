// SPDX-License-Identifier: Apache-2.0
// Creation kernels: fills write one precomputed element pattern; ranges compute
// start + (i / repeat) * step with MXNet's arithmetic in the output dtype (for float16 that is
// integer arithmetic on the truncated start and step, as mshadow's half_t operators do).
#include "ops/init_ops.h"

#include <memory>
#include <string>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/index_loops.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

class FillKernel final : public Kernel {
 public:
  FillKernel(const TensorDesc& out, uint64_t pattern)
      : pattern_(pattern), bytes_(DTypeSize(out.dtype)), n_(out.shape.Size()) {}
  void Run(const RunArgs& args) const override { FillPattern(args.out[0], &pattern_, bytes_, n_); }
  std::string Describe() const override { return "ref:fill"; }

 private:
  uint64_t pattern_;  ///< the element's bytes (low bytes_ bytes used)
  size_t bytes_;      ///< bytes per element
  int64_t n_;         ///< number of elements
};

std::string What(const KernelArgs& a) { return a.node.def->name() + " node '" + a.node.name + "'"; }

std::unique_ptr<Kernel> MakeFill(const KernelArgs& a, const FillValue& value) {
  uint64_t pattern = 0;
  MXS_CHECK_CODE(FillValuePattern(a.out[0].dtype, value, &pattern), kUnsupported)
      << "failed to plan " << What(a) << ": dtype " << DTypeName(a.out[0].dtype)
      << " is not supported";
  return std::make_unique<FillKernel>(a.out[0], pattern);
}

FillValue Real(double v) {
  FillValue f;
  f.real = v;
  return f;
}

template <int kValue>
std::unique_ptr<Kernel> CreateConstFill(const KernelArgs& a) {
  return MakeFill(a, Real(kValue));
}

template <typename P>
std::unique_ptr<Kernel> CreateValueFill(const KernelArgs& a) {
  return MakeFill(a, a.param<P>().value);
}

template <typename T>
class RangeKernel final : public Kernel {
 public:
  RangeKernel(double start, double step, int64_t repeat, int64_t n)
      : start_(start), step_(step), repeat_(repeat), n_(n) {}
  void Run(const RunArgs& args) const override {
    T* y = static_cast<T*>(args.out[0]);
    if constexpr (std::is_same_v<T, HalfBits>) {
      // half_t operands meet an integer index: both sides become integers.
      const int64_t start =
          static_cast<int64_t>(HalfToFloat(FloatToHalf(static_cast<float>(start_))));
      const int64_t step =
          static_cast<int64_t>(HalfToFloat(FloatToHalf(static_cast<float>(step_))));
      ParallelFor(n_, [&](int64_t i) {
        y[i] = FromDouble<T>(static_cast<double>(start + (i / repeat_) * step));
      });
    } else if constexpr (std::is_floating_point_v<T>) {
      const T start = static_cast<T>(start_), step = static_cast<T>(step_);
      ParallelFor(n_, [&](int64_t i) { y[i] = start + static_cast<T>(i / repeat_) * step; });
    } else {
      const T start = static_cast<T>(start_), step = static_cast<T>(step_);
      ParallelFor(n_, [&](int64_t i) {
        y[i] = static_cast<T>(static_cast<int64_t>(start) +
                              (i / repeat_) * static_cast<int64_t>(step));
      });
    }
  }
  std::string Describe() const override { return "ref:range"; }

 private:
  double start_;    ///< first value, as the attribute gives it
  double step_;     ///< spacing, as the attribute gives it
  int64_t repeat_;  ///< times each value repeats
  int64_t n_;       ///< number of elements
};

std::unique_ptr<Kernel> MakeRange(const KernelArgs& a, double start, double step, int64_t repeat) {
  std::unique_ptr<Kernel> k;
  const int64_t n = a.out[0].shape.Size();
  VisitValueDType(a.out[0].dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, Bf16Bits>) {
      k = std::make_unique<RangeKernel<T>>(start, step, repeat, n);
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported) << "failed to plan " << What(a) << ": dtype "
                                             << DTypeName(a.out[0].dtype) << " is not supported";
  return k;
}

template <typename P>
std::unique_ptr<Kernel> CreateRange(const KernelArgs& a) {
  const P& p = a.param<P>();
  return MakeRange(a, p.start, p.step, p.repeat);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, init_ops) {
  r.Add("_zeros", cpu::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("_npi_zeros", cpu::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("zeros_like", cpu::CreateConstFill<0>).DTypes(dtypes::kAny);
  r.Add("_ones", cpu::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("_npi_ones", cpu::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("ones_like", cpu::CreateConstFill<1>).DTypes(dtypes::kAny);
  r.Add("_full", cpu::CreateValueFill<FullParam>).DTypes(dtypes::kAny);
  r.Add("_npi_full", cpu::CreateValueFill<NumpyFullParam>).DTypes(dtypes::kAny);
  r.Add("_npi_full_like", cpu::CreateValueFill<FullLikeParam>).DTypes(dtypes::kAny);
  r.Add("_arange", cpu::CreateRange<RangeParam>).DTypes(dtypes::kAny);
  r.Add("_npi_arange", cpu::CreateRange<NumpyRangeParam>).DTypes(dtypes::kAny);
  r.Add("_contrib_arange_like", cpu::CreateRange<RangeLikeParam>).DTypes(dtypes::kAny);
}

}  // namespace mxserve
