// SPDX-License-Identifier: Apache-2.0
// LRN across channels on CUDA for row-major (N, C, H, W) data: one thread per output element
// sums the squares over the window of channels [c - (nsize - 1) / 2, c + (nsize - 1) / 2]
// clipped to the tensor, in float, and scales its input by (knorm + alpha * sum / nsize)^-beta,
// the formula and window of the CPU kernel (oneDNN lrn_across_channels, whose window for an
// even nsize is also (nsize - 1) / 2 channels either side).
#include "ops/lrn.h"

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

struct LrnGeom {
  int64_t n = 0;         ///< elements
  int64_t channels = 1;  ///< C
  int64_t spatial = 1;   ///< H * W
  int64_t half = 0;      ///< (nsize - 1) / 2
  float nsize = 1.f;
  float alpha = 0.f, beta = 0.f, knorm = 0.f;
};

/// The channels [first, last] of output element i's window, and the offset of its channel 0.
struct Window {
  int64_t first, last, base;
};

__host__ __device__ __forceinline__ Window WindowOf(const LrnGeom& g, int64_t i) {
  const int64_t c = (i / g.spatial) % g.channels;
  Window w;
  w.first = c - g.half < 0 ? 0 : c - g.half;
  w.last = c + g.half >= g.channels ? g.channels - 1 : c + g.half;
  w.base = i - c * g.spatial;
  return w;
}

/// The factor an input is scaled by, given the sum of squares over its window.
__host__ __device__ __forceinline__ float Factor(const LrnGeom& g, float sum) {
  return powf(g.knorm + g.alpha * sum / g.nsize, -g.beta);
}

template <typename T>
__global__ void LrnKernel(const T* x, T* y, LrnGeom g) {
  MXS_GRID_STRIDE(i, g.n) {
    const Window w = WindowOf(g, i);
    float sum = 0.f;
    for (int64_t k = w.first; k <= w.last; ++k) {
      const float v = Load(x, w.base + k * g.spatial);
      sum += v * v;
    }
    Store(y, i, Load(x, i) * Factor(g, sum));
  }
}

class LrnCuda final : public Kernel {
 public:
  LrnCuda(const LrnGeom& g, DType dtype) : g_(g), dtype_(dtype) {}
  void Run(const RunArgs& args) const override {
    if (g_.n == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(dtype_, T,
                       LrnKernel<<<GridFor(g_.n), kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), g_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:lrn"; }

 private:
  LrnGeom g_;
  DType dtype_;
};

std::unique_ptr<Kernel> CreateLRN(const KernelArgs& a) {
  const auto& p = a.param<LRNParam>();
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << what << ": the CUDA LRN takes float32, float16 or bfloat16 data with the same output "
      << "dtype";
  const Shape& s = a.in[0].shape;
  MXS_CHECK_CODE(s.ndim() == 4, kUnsupported) << what << ": the CUDA LRN takes 4-D data";
  LrnGeom g;
  g.n = s.Size();
  g.channels = s[1];
  g.spatial = s[2] * s[3];
  g.half = (p.nsize - 1) / 2;
  g.nsize = static_cast<float>(p.nsize);
  g.alpha = p.alpha;
  g.beta = p.beta;
  g.knorm = p.knorm;
  return std::make_unique<LrnCuda>(g, t);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, lrn) {
  r.Add("LRN", cuda::Adapted(cuda::CreateLRN), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
