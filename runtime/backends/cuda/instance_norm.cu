// SPDX-License-Identifier: Apache-2.0
// InstanceNorm on CUDA: one block per (sample, channel) plane of the data (N, C, S), which sums
// the plane for its mean, then the squared deviations for its variance, in float, and writes
// gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]. gamma and beta share one float dtype,
// which may differ from the data's.
#include "ops/instance_norm.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/block_reduce.cuh"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct Planes {
  int64_t count = 0;     ///< N * C
  int64_t channels = 1;  ///< C
  int64_t size = 1;      ///< S, elements per plane
  float eps = 1e-3f;
};

template <typename T, typename G>
__global__ void InstanceNormKernel(const T* x, const G* gamma, const G* beta, T* y, Planes p) {
  __shared__ float shared[32];
  MXS_BLOCK_ROWS(plane, p.count) {
    const int64_t base = plane * p.size, c = plane % p.channels;
    const Moments m = BlockMoments(x, base, p.size, 1, p.eps, shared);
    const float g = Load(gamma, c), b = Load(beta, c);
    for (int64_t i = threadIdx.x; i < p.size; i += blockDim.x)
      Store(y, base + i, g * (Load(x, base + i) - m.mean) / m.std + b);
  }
}

class InstanceNormCuda final : public Kernel {
 public:
  InstanceNormCuda(const Planes& p, DType dtype, DType gamma_dtype)
      : p_(p), dtype_(dtype), gamma_dtype_(gamma_dtype) {}
  void Run(const RunArgs& args) const override {
    DispatchDataAndGamma(dtype_, gamma_dtype_, [&](auto* t, auto* g) {
      using T = Pointee<decltype(t)>;
      using G = Pointee<decltype(g)>;
      InstanceNormKernel<<<RowGridFor(p_.count), kThreads, 0, StreamOf(args).get()>>>(
          static_cast<const T*>(args.in[0]), static_cast<const G*>(args.in[1]),
          static_cast<const G*>(args.in[2]), static_cast<T*>(args.out[0]), p_);
      MXS_CUDA_CHECK_LAUNCH();
    });
  }
  std::string Describe() const override { return "cuda:instance_norm"; }

 private:
  Planes p_;
  DType dtype_, gamma_dtype_;
};

std::unique_ptr<Kernel> CreateInstanceNorm(const KernelArgs& a) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << what << ": the CUDA InstanceNorm takes float32, float16 or bfloat16 data with an "
      << "output of the same dtype";
  MXS_CHECK_CODE(IsFloatData(a.in[1].dtype) && a.in[2].dtype == a.in[1].dtype, kUnsupported)
      << what << ": the CUDA InstanceNorm needs gamma and beta of one float dtype";
  const Shape& s = a.in[0].shape;
  Planes p;
  p.channels = s[1];
  p.count = s[0] * s[1];
  p.size = ShapeProduct(s, 2, s.ndim());
  p.eps = a.param<InstanceNormParam>().eps;
  return std::make_unique<InstanceNormCuda>(p, t, a.in[1].dtype);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, instance_norm) {
  r.Add("InstanceNorm", cuda::Adapted(cuda::CreateInstanceNorm), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
