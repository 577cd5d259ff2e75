// SPDX-License-Identifier: Apache-2.0
// Unary math ops (relu, sigmoid, exp, log, sqrt, floor, round, sin... and their _npi_/_npx_
// names) on float32 / float16 / bfloat16 data whose output keeps the input's dtype: one thread
// per element, computed in float32 with the CPU kernel's formulas (round half away from zero,
// sign(0) = 0, relu passing NaN, rsqrt as 1 / sqrt). Integer and bool data, and the _npi_ forms
// that change the dtype (logical_not into bool), run on the host.
#include "ops/unary_math.h"

#include <memory>
#include <string>
#include <utility>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cuda {
namespace {

__device__ __forceinline__ float ApplyUnary(UnaryFn fn, float a) {
  constexpr float kPiF = 3.14159265358979323846f;
  switch (fn) {
    case UnaryFn::kRelu: return (a > 0.f || a != a) ? a : 0.f;
    case UnaryFn::kSigmoid: return 1.f / (1.f + expf(-a));
    case UnaryFn::kSoftsign: return a / (1.f + fabsf(a));
    case UnaryFn::kNegative: return -a;
    case UnaryFn::kAbs: return fabsf(a);
    case UnaryFn::kSign: return a < 0.f ? -1.f : (a > 0.f ? 1.f : 0.f);
    case UnaryFn::kRound: return roundf(a);
    case UnaryFn::kRint: return rintf(a);
    case UnaryFn::kCeil: return ceilf(a);
    case UnaryFn::kFloor: return floorf(a);
    case UnaryFn::kTrunc: return truncf(a);
    case UnaryFn::kErf: return erff(a);
    case UnaryFn::kSin: return sinf(a);
    case UnaryFn::kCos: return cosf(a);
    case UnaryFn::kTan: return tanf(a);
    case UnaryFn::kSinh: return sinhf(a);
    case UnaryFn::kCosh: return coshf(a);
    case UnaryFn::kTanh: return tanhf(a);
    case UnaryFn::kArcsin: return asinf(a);
    case UnaryFn::kArccos: return acosf(a);
    case UnaryFn::kArctan: return atanf(a);
    case UnaryFn::kArcsinh: return asinhf(a);
    case UnaryFn::kArccosh: return acoshf(a);
    case UnaryFn::kArctanh: return atanhf(a);
    // A float constant times the value, as the CPU kernel (mshadow's PI is a float).
    case UnaryFn::kDegrees: return __fmul_rn(180.0f / kPiF, a);
    case UnaryFn::kRadians: return __fmul_rn(kPiF / 180.0f, a);
    case UnaryFn::kGamma: return tgammaf(a);
    case UnaryFn::kGammaln: return lgammaf(a);
    case UnaryFn::kLogicalNot: return a != 0.f ? 0.f : 1.f;
    case UnaryFn::kLogSigmoid: return logf(1.f / (1.f + expf(-a)));
    // softrelu saturates to the identity above 20.
    case UnaryFn::kMish: return a * tanhf(a > 20.f ? a : log1pf(expf(a)));
    case UnaryFn::kReciprocal: return 1.f / a;
    case UnaryFn::kSquare: return a * a;
    case UnaryFn::kSqrt: return sqrtf(a);
    case UnaryFn::kRsqrt: return 1.f / sqrtf(a);
    case UnaryFn::kCbrt: return cbrtf(a);
    case UnaryFn::kExp: return expf(a);
    case UnaryFn::kLog: return logf(a);
    case UnaryFn::kLog10: return log10f(a);
    case UnaryFn::kLog2: return log2f(a);
    case UnaryFn::kLog1p: return log1pf(a);
    case UnaryFn::kExpm1: return expm1f(a);
    // In double, as the CPU kernel: NaN outside [-1, 1], +-inf at +-1.
    case UnaryFn::kErfinv: return static_cast<float>(erfinv(static_cast<double>(a)));
  }
  return a;
}

template <typename T>
__global__ void UnaryKernel(UnaryFn fn, const T* x, T* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) { Store(y, i, ApplyUnary(fn, Load(x, i))); }
}

class UnaryMathCuda final : public Kernel {
 public:
  UnaryMathCuda(UnaryFn fn, DType t, int64_t n, std::string name)
      : fn_(fn), t_(t), n_(n), name_(std::move(name)) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       UnaryKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           fn_, static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]),
                           n_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:" + name_; }

 private:
  UnaryFn fn_;
  DType t_;
  int64_t n_;
  std::string name_;
};

std::unique_ptr<Kernel> CreateUnaryMath(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype, not " << DTypeName(t) << " -> "
      << DTypeName(a.out[0].dtype);
  const std::string& op = a.node.def->name();
  return std::make_unique<UnaryMathCuda>(UnaryMathFnOf(op), t, a.in[0].shape.Size(), op);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, unary_math) {
  for (const std::string& op : UnaryMathOpNames())
    r.Add(op, cuda::Adapted(cuda::CreateUnaryMath), Backend::kSameLayout,
          cuda::kReducedSameType)
        .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
