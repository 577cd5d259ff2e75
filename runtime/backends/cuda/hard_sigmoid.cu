// SPDX-License-Identifier: Apache-2.0
// hard_sigmoid on float32 / float16 / bfloat16 data: one thread per element, clamping
// alpha * x + beta (multiply and add rounded separately) to [0, 1] in float32; NaN stays NaN.
#include "ops/hard_sigmoid.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename T>
__global__ void HardSigmoidKernel(float alpha, float beta, const T* x, T* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    const float v = __fadd_rn(__fmul_rn(alpha, Load(x, i)), beta);
    Store(y, i, v <= 0.f ? 0.f : (v >= 1.f ? 1.f : v));
  }
}

class HardSigmoidCuda final : public Kernel {
 public:
  HardSigmoidCuda(float alpha, float beta, DType t, int64_t n)
      : alpha_(alpha), beta_(beta), t_(t), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       HardSigmoidKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           alpha_, beta_, static_cast<const T*>(args.in[0]),
                           static_cast<T*>(args.out[0]), n_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:hard_sigmoid"; }

 private:
  float alpha_, beta_;
  DType t_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateHardSigmoid(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  const auto& p = a.param<HardSigmoidParam>();
  return std::make_unique<HardSigmoidCuda>(p.alpha, p.beta, t, a.in[0].shape.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, hard_sigmoid) {
  r.Add("hard_sigmoid", cuda::Adapted(cuda::CreateHardSigmoid), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
