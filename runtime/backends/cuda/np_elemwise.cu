// SPDX-License-Identifier: Apache-2.0
// The MXNet 2.0 numpy element-wise ops (ops/np_elemwise.h) on CUDA for the dtypes of the CPU's
// typed loops (float32, float64, uint8, int8, int32, int64, bool): one thread per output
// element. The broadcasting forms index each operand through its broadcast strides; the scalar
// forms convert the input to the compute dtype (the output's, or the input's for logical_*)
// and take the scalar converted to it on the host, as the CPU kernel does. The arithmetic is
// np_fn.cuh's, in the element type (double for float64).
#include "ops/np_elemwise.h"

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cuda/broadcast_strides.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/np_fn.cuh"
#include "base/error.h"
#include "graph/op_def.h"
#include "ops/scalar_binary.h"

namespace mxserve {
namespace cuda {
namespace {

/// y[i] = fn(a[...], b[...]) over the broadcast index space; bool results for logical_*.
template <typename T, bool kLogical>
__global__ void NpBroadcastKernel(NpFn fn, const T* a, const T* b, void* y, int64_t n,
                                  BroadcastStrides s) {
  MXS_GRID_STRIDE(i, n) {
    int64_t ia, ib;
    BroadcastOperands(s, i, &ia, &ib);
    if constexpr (kLogical) {
      static_cast<bool*>(y)[i] = np::Logical(fn, a[ia], b[ib]);
    } else {
      static_cast<T*>(y)[i] = np::Apply(fn, a[ia], b[ib]);
    }
  }
}

/// y[i] = fn(TC(x[i]), s), or fn(s, TC(x[i])) when reversed; bool results for logical_*.
template <typename TI, typename TC, bool kLogical>
__global__ void NpScalarKernel(NpFn fn, bool reverse, TC s, const TI* x, void* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    const TC v = static_cast<TC>(x[i]);
    const TC l = reverse ? s : v, r = reverse ? v : s;
    if constexpr (kLogical) {
      static_cast<bool*>(y)[i] = np::Logical(fn, l, r);
    } else {
      static_cast<TC*>(y)[i] = np::Apply(fn, l, r);
    }
  }
}

/// Calls fn(T{}) with the element type of `dtype`; false for dtypes outside dtypes::kPlain.
template <typename Fn>
bool VisitPlain(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: fn(float{}); return true;
    case DType::kFloat64: fn(double{}); return true;
    case DType::kUint8: fn(uint8_t{}); return true;
    case DType::kInt8: fn(int8_t{}); return true;
    case DType::kInt32: fn(int32_t{}); return true;
    case DType::kInt64: fn(int64_t{}); return true;
    case DType::kBool: fn(bool{}); return true;
    default: return false;
  }
}

template <typename T, bool kLogical>
class NpBroadcastCuda final : public Kernel {
 public:
  NpBroadcastCuda(NpFn fn, int64_t n, const BroadcastStrides& s) : fn_(fn), n_(n), s_(s) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    NpBroadcastKernel<T, kLogical><<<GridFor(n_), kThreads, 0, StreamOf(args).get()>>>(
        fn_, static_cast<const T*>(args.in[0]), static_cast<const T*>(args.in[1]), args.out[0],
        n_, s_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:np_broadcast"; }

 private:
  NpFn fn_;
  int64_t n_;
  BroadcastStrides s_;
};

template <typename TI, typename TC, bool kLogical>
class NpScalarCuda final : public Kernel {
 public:
  NpScalarCuda(NpFn fn, bool reverse, TC scalar, int64_t n)
      : fn_(fn), reverse_(reverse), scalar_(scalar), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    NpScalarKernel<TI, TC, kLogical><<<GridFor(n_), kThreads, 0, StreamOf(args).get()>>>(
        fn_, reverse_, scalar_, static_cast<const TI*>(args.in[0]), args.out[0], n_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:np_scalar"; }

 private:
  NpFn fn_;
  bool reverse_;
  TC scalar_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateBroadcast(const KernelArgs& a, NpFn fn) {
  const DType t = a.in[0].dtype;
  const bool logical = NpFnIsLogical(fn);
  MXS_CHECK_CODE(a.in[1].dtype == t && a.out[0].dtype == (logical ? DType::kBool : t),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes operands of one dtype "
      << "and gives " << (logical ? "bool" : "their dtype");
  const Shape& out = a.out[0].shape;
  const BroadcastStrides s = BroadcastStridesOf(a);
  const int64_t n = out.Size();
  std::unique_ptr<Kernel> k;
  VisitPlain(t, [&](auto x) {
    using T = decltype(x);
    if (!np::Defined<T>(fn)) return;
    if (logical) {
      k = std::make_unique<NpBroadcastCuda<T, true>>(fn, n, s);
    } else {
      k = std::make_unique<NpBroadcastCuda<T, false>>(fn, n, s);
    }
  });
  return k;
}

template <typename TI, typename TC>
std::unique_ptr<Kernel> MakeScalar(NpFn fn, bool reverse, double scalar, int64_t n) {
  if (!np::Defined<TC>(fn)) return nullptr;
  if (NpFnIsLogical(fn)) {
    return std::make_unique<NpScalarCuda<TI, TC, true>>(fn, reverse, static_cast<TC>(scalar), n);
  }
  return std::make_unique<NpScalarCuda<TI, TC, false>>(fn, reverse, static_cast<TC>(scalar), n);
}

std::unique_ptr<Kernel> CreateScalar(const KernelArgs& a, NpFn fn, NpArity arity) {
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  const bool logical = NpFnIsLogical(fn);
  // Logical ops test the input in its own dtype; the others compute in the output dtype.
  const DType tc = logical ? ti : to;
  MXS_CHECK_CODE(logical ? to == DType::kBool : (to == ti || to == DType::kFloat64 ||
                                                  to == DType::kInt64),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel has no conversion from "
      << DTypeName(ti) << " to " << DTypeName(to);
  const double s = arity == NpArity::kUnary ? 0.0 : a.param<ScalarBinaryParam>().scalar;
  const bool reverse = arity == NpArity::kReverseScalar;
  const int64_t n = a.out[0].shape.Size();
  std::unique_ptr<Kernel> k;
  VisitPlain(ti, [&](auto x) {
    using TI = decltype(x);
    if (tc == ti) {
      k = MakeScalar<TI, TI>(fn, reverse, s, n);
    } else if (tc == DType::kFloat64) {
      k = MakeScalar<TI, double>(fn, reverse, s, n);
    } else if (tc == DType::kInt64) {
      k = MakeScalar<TI, int64_t>(fn, reverse, s, n);
    }
  });
  return k;
}

std::unique_ptr<Kernel> CreateNpElemwise(const KernelArgs& a) {
  NpFn fn;
  NpArity arity;
  NpElemwiseOf(a.node.def->name(), &fn, &arity);
  std::unique_ptr<Kernel> k =
      arity == NpArity::kBroadcast ? CreateBroadcast(a, fn) : CreateScalar(a, fn, arity);
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": dtype " << DTypeName(a.in[0].dtype)
      << " -> " << DTypeName(a.out[0].dtype) << " is not supported";
  return k;
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, np_elemwise) {
  for (const std::string& op : NpElemwiseOpNames())
    r.Add(op, cuda::CreateNpElemwise, Backend::kRowMajorOnly).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
