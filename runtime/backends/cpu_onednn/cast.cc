// SPDX-License-Identifier: Apache-2.0
// Cast and amp_cast. Conversions among float32/float16/bfloat16 run on oneDNN reorder (round to
// nearest even, like MXNet's half conversions). Everything else is a plain loop with C++
// static_cast semantics, which is what MXNet's CastCompute does: oneDNN's integer reorders
// round and saturate, MXNet truncates.
#include "ops/cast.h"

#include <cstring>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

/// Storage types of the 16-bit floats, distinct from uint16_t for overloading.
struct Half {
  uint16_t bits;  ///< IEEE binary16 bits
};
struct Bf16 {
  uint16_t bits;  ///< bfloat16 bits
};

template <typename Fn>
bool VisitCastType(DType dtype, Fn&& fn) {
  if (dtype == DType::kFloat16) return fn(Half{}), true;
  if (dtype == DType::kBfloat16) return fn(Bf16{}), true;
  return VisitDType(dtype, fn);
}

template <typename TO, typename TI>
TO Convert(TI x) {
  if constexpr (std::is_same_v<TI, Half>) {
    return Convert<TO>(HalfToFloat(x.bits));
  } else if constexpr (std::is_same_v<TI, Bf16>) {
    return Convert<TO>(Bfloat16ToFloat(x.bits));
  } else if constexpr (std::is_same_v<TO, Half>) {
    return Half{FloatToHalf(static_cast<float>(x))};
  } else if constexpr (std::is_same_v<TO, Bf16>) {
    return Bf16{FloatToBfloat16(static_cast<float>(x))};
  } else {
    return static_cast<TO>(x);
  }
}

template <typename TI, typename TO>
class CastLoopKernel final : public Kernel {
 public:
  explicit CastLoopKernel(int64_t n) : n_(n) {}
  void Run(const RunArgs& args) const override {
    const TI* x = static_cast<const TI*>(args.in[0]);
    TO* y = static_cast<TO*>(args.out[0]);
    ParallelFor(n_, [&](int64_t i) { y[i] = Convert<TO>(x[i]); });
  }
  std::string Describe() const override { return "ref:cast"; }

 private:
  int64_t n_;
};

class CopyKernel final : public Kernel {
 public:
  explicit CopyKernel(size_t nbytes) : nbytes_(nbytes) {}
  void Run(const RunArgs& args) const override {
    if (nbytes_ > 0 && args.out[0] != args.in[0]) std::memcpy(args.out[0], args.in[0], nbytes_);
  }
  std::string Describe() const override { return "ref:copy"; }

 private:
  size_t nbytes_;
};

bool IsReorderFloat(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16;
}

std::unique_ptr<Kernel> CreateCast(const KernelArgs& a) {
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  if (ti == to && a.in[0].layout == a.out[0].layout) return std::make_unique<CopyKernel>(a.out[0].nbytes());
  if (IsReorderFloat(ti) && IsReorderFloat(to) && a.out[0].shape.Size() > 0) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      auto src = ToMemDesc(a.in[0]), dst = ToMemDesc(a.out[0]);
      auto pd = dnnl::reorder::primitive_desc(Engine(), src, Engine(), dst, DefaultAttr());
      std::vector<PrimitiveArg> args{{DNNL_ARG_FROM, src, PrimitiveArg::Source::kInput, 0, nullptr},
                                     {DNNL_ARG_TO, dst, PrimitiveArg::Source::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::reorder(pd), pd, std::move(args));
    });
  }
  CheckSameLayout(a, what);
  std::unique_ptr<Kernel> k;
  const int64_t n = a.out[0].shape.Size();
  VisitCastType(ti, [&](auto x) {
    VisitCastType(to, [&](auto y) { k = std::make_unique<CastLoopKernel<decltype(x), decltype(y)>>(n); });
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": cast from " << DTypeName(ti) << " to " << DTypeName(to)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, cast) {
  r.Add("Cast", cpu::CreateCast).DTypes(dtypes::kValue);
  r.Add("amp_cast", cpu::CreateCast).DTypes(dtypes::kValue);
}

}  // namespace mxserve
