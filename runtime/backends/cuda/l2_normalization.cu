// SPDX-License-Identifier: Apache-2.0
// L2Normalization on CUDA over an (outer, len, inner) view of the data (N, C, S): one block
// per norm, which sums the squares of its len elements in float and divides them by
// sqrt(sum + eps). instance: a norm per sample over (C, S); channel: per (sample, position)
// over C; spatial: per (sample, channel) over S.
#include "ops/l2_normalization.h"

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

struct NormRows {
  int64_t outer = 1, len = 1, inner = 1;
  float eps = 1e-10f;
};

template <typename T>
__global__ void L2NormalizationKernel(const T* x, T* y, NormRows r) {
  __shared__ float shared[32];
  MXS_BLOCK_ROWS(row, r.outer * r.inner) {
    const int64_t base = (row / r.inner) * r.len * r.inner + row % r.inner;
    float sq = 0.f;
    for (int64_t k = threadIdx.x; k < r.len; k += blockDim.x) {
      const float v = Load(x, base + k * r.inner);
      sq += v * v;
    }
    const float norm = sqrtf(BlockSum(sq, shared) + r.eps);
    for (int64_t k = threadIdx.x; k < r.len; k += blockDim.x)
      Store(y, base + k * r.inner, Load(x, base + k * r.inner) / norm);
  }
}

class L2NormalizationCuda final : public Kernel {
 public:
  L2NormalizationCuda(const NormRows& r, DType dtype) : r_(r), dtype_(dtype) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = RowGridFor(r_.outer * r_.inner);
    MXS_FLOAT_DISPATCH(dtype_, T,
                       L2NormalizationKernel<<<grid, kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), r_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:l2_normalization"; }

 private:
  NormRows r_;
  DType dtype_;
};

std::unique_ptr<Kernel> CreateL2Normalization(const KernelArgs& a) {
  const auto& p = a.param<L2NormalizationParam>();
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA L2Normalization takes float32, "
      << "float16 or bfloat16 data with an output of the same dtype";
  const Shape& s = a.in[0].shape;
  const int64_t n = s.ndim() > 0 ? s[0] : 1, c = s.ndim() > 1 ? s[1] : 1;
  const int64_t spatial = s.ndim() > 2 ? ShapeProduct(s, 2, s.ndim()) : 1;
  NormRows r;
  r.eps = p.eps;
  if (p.mode == "channel") {
    r.outer = n;
    r.len = c;
    r.inner = spatial;
  } else if (p.mode == "spatial") {
    r.outer = n * c;
    r.len = spatial;
  } else {
    MXS_CHECK_CODE(p.mode == "instance", kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": mode " << p.mode << " has no CUDA kernel";
    r.outer = n;
    r.len = c * spatial;
  }
  return std::make_unique<L2NormalizationCuda>(r, t);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, l2_normalization) {
  r.Add("L2Normalization", cuda::Adapted(cuda::CreateL2Normalization), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
