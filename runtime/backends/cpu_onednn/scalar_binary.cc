// SPDX-License-Identifier: Apache-2.0
// Tensor-scalar ops. float32 plus/minus/rminus/mul run on oneDNN eltwise_linear (y = a*x + b is
// exact for these); the rest is a plain loop that converts x to the computation type, applies
// the function with the scalar converted to the same type (MXNet's DType(alpha)), and stores in
// the output dtype.
#include "ops/scalar_binary.h"

#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename TI, typename TC, typename TO>
std::unique_ptr<Kernel> MakeLoop(ScalarFn fn, double scalar, int64_t n) {
  std::unique_ptr<Kernel> k;
  VisitBinaryFn<TC>(fn.fn, [&](auto f) {
    k = std::make_unique<ScalarLoopKernel<TI, TC, TO, decltype(f)>>(f, scalar, fn.reverse, n);
  });
  return k;
}

// oneDNN eltwise_linear for the float32 ops it computes exactly; null otherwise.
std::unique_ptr<Kernel> TryLinear(const KernelArgs& a, ScalarFn fn, float s, const std::string& what) {
  if (a.in[0].dtype != DType::kFloat32 || a.out[0].dtype != DType::kFloat32) return nullptr;
  if (a.out[0].shape.Size() == 0) return nullptr;
  float alpha, beta;
  if (fn.fn == BinaryFn::kAdd) {
    alpha = 1.f, beta = s;
  } else if (fn.fn == BinaryFn::kSub) {
    alpha = fn.reverse ? -1.f : 1.f, beta = fn.reverse ? s : -s;
  } else if (fn.fn == BinaryFn::kMul) {
    alpha = s, beta = 0.f;
  } else {
    return nullptr;
  }
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto pd = dnnl::eltwise_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_linear,
        ToMemDesc(a.in[0]), ToMemDesc(a.out[0]), alpha, beta, DefaultAttr());
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
  });
}

std::unique_ptr<Kernel> CreateScalarBinary(const KernelArgs& a) {
  const auto& p = a.param<ScalarBinaryParam>();
  const ScalarFn fn = ScalarBinaryFnOf(a.node.def->name());
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  if (auto k = TryLinear(a, fn, static_cast<float>(p.scalar), what)) return k;
  CheckSameLayout(a, what);
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  const int64_t n = a.out[0].shape.Size();
  std::unique_ptr<Kernel> k;
  VisitDType(ti, [&](auto x) {
    using T = decltype(x);
    if (to == ti) {
      k = MakeLoop<T, T, T>(fn, p.scalar, n);
    } else if (to == DType::kBool) {
      // numpy comparisons: integers compare exactly against the double scalar.
      using C = std::conditional_t<std::is_floating_point_v<T>, T, double>;
      k = MakeLoop<T, C, bool>(fn, p.scalar, n);
    } else if (to == DType::kFloat64) {
      k = MakeLoop<T, double, double>(fn, p.scalar, n);
    } else if (to == DType::kFloat32) {
      k = MakeLoop<T, float, float>(fn, p.scalar, n);
    } else if (to == DType::kInt64) {
      k = MakeLoop<T, int64_t, int64_t>(fn, p.scalar, n);
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(ti) << " -> " << DTypeName(to)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, scalar_binary) {
  for (const std::string& op : ScalarBinaryOpNames())
    r.Add(op, cpu::CreateScalarBinary, Backend::kSameLayout).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
