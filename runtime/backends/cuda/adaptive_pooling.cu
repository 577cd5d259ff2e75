// SPDX-License-Identifier: Apache-2.0
// _contrib_AdaptiveAvgPooling2D on float32 / float16 / bfloat16 data, row-major (NCHW) or
// channels-last (NHWC): one thread per output element. Output cell i of an axis averages the
// source window [floor(i * in / out), ceil((i + 1) * in / out)), the quotients taken in float as
// the CPU kernel does; the window is summed in float32 row by row from 0, then divided by its
// width and then by its height, as the CPU kernel does.
#include "ops/adaptive_pooling.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/spatial2d.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

__device__ __forceinline__ int64_t WindowBegin(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(
      floorf(__fdiv_rn(static_cast<float>(i * in), static_cast<float>(out))));
}

__device__ __forceinline__ int64_t WindowEnd(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(
      ceilf(__fdiv_rn(static_cast<float>((i + 1) * in), static_cast<float>(out))));
}

template <typename T>
__global__ void AdaptiveAvgPoolKernel(const T* x, T* y, int64_t n, Spatial2D g) {
  MXS_GRID_STRIDE(i, n) {
    const Pixel px = PixelOf(i, g);
    const int64_t h0 = WindowBegin(px.oh, g.ih, g.oh), kh = WindowEnd(px.oh, g.ih, g.oh) - h0;
    const int64_t w0 = WindowBegin(px.ow, g.iw, g.ow), kw = WindowEnd(px.ow, g.iw, g.ow) - w0;
    float sum = 0.f;
    for (int64_t h = 0; h < kh; ++h) {
      const int64_t row = px.base + (h0 + h) * px.row_stride + w0 * px.col_stride;
      for (int64_t w = 0; w < kw; ++w) sum = __fadd_rn(sum, Load(x, row + w * px.col_stride));
    }
    Store(y, i, __fdiv_rn(__fdiv_rn(sum, static_cast<float>(kw)), static_cast<float>(kh)));
  }
}

class AdaptiveAvgPoolCuda final : public Kernel {
 public:
  AdaptiveAvgPoolCuda(const Spatial2D& p, DType t, int64_t n) : p_(p), t_(t), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       AdaptiveAvgPoolKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), n_,
                           p_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return p_.channels_last ? "cuda:adaptive_avg_pool_nhwc" : "cuda:adaptive_avg_pool";
  }

 private:
  Spatial2D p_;
  DType t_;
  int64_t n_;  ///< output elements
};

std::unique_ptr<Kernel> CreateAdaptiveAvgPool(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  return std::make_unique<AdaptiveAvgPoolCuda>(Spatial2DOf(a), t, a.out[0].shape.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, adaptive_pooling) {
  r.Add("_contrib_AdaptiveAvgPooling2D", cuda::Adapted(cuda::CreateAdaptiveAvgPool),
        Backend::kSameLayout, cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
