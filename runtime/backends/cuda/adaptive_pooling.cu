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
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct Pool {
  int64_t channels = 1, ih = 1, iw = 1, oh = 1, ow = 1;
  bool channels_last = false;
};

__device__ __forceinline__ int64_t WindowBegin(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(
      floorf(__fdiv_rn(static_cast<float>(i * in), static_cast<float>(out))));
}

__device__ __forceinline__ int64_t WindowEnd(int64_t i, int64_t in, int64_t out) {
  return static_cast<int64_t>(
      ceilf(__fdiv_rn(static_cast<float>((i + 1) * in), static_cast<float>(out))));
}

template <typename T>
__global__ void AdaptiveAvgPoolKernel(const T* x, T* y, int64_t n, Pool p) {
  MXS_GRID_STRIDE(i, n) {
    int64_t rest = i, c = 0;
    if (p.channels_last) {
      c = rest % p.channels;
      rest /= p.channels;
    }
    const int64_t ow = rest % p.ow;
    rest /= p.ow;
    const int64_t oh = rest % p.oh;
    rest /= p.oh;
    // rest is the plane (n * C + c) in NCHW, the image n in NHWC.
    int64_t base, row_stride, col_stride;
    if (p.channels_last) {
      base = rest * p.ih * p.iw * p.channels + c;
      row_stride = p.iw * p.channels;
      col_stride = p.channels;
    } else {
      base = rest * p.ih * p.iw;
      row_stride = p.iw;
      col_stride = 1;
    }
    const int64_t h0 = WindowBegin(oh, p.ih, p.oh), kh = WindowEnd(oh, p.ih, p.oh) - h0;
    const int64_t w0 = WindowBegin(ow, p.iw, p.ow), kw = WindowEnd(ow, p.iw, p.ow) - w0;
    float sum = 0.f;
    for (int64_t h = 0; h < kh; ++h) {
      const int64_t row = base + (h0 + h) * row_stride + w0 * col_stride;
      for (int64_t w = 0; w < kw; ++w) sum = __fadd_rn(sum, Load(x, row + w * col_stride));
    }
    Store(y, i, __fdiv_rn(__fdiv_rn(sum, static_cast<float>(kw)), static_cast<float>(kh)));
  }
}

class AdaptiveAvgPoolCuda final : public Kernel {
 public:
  AdaptiveAvgPoolCuda(const Pool& p, DType t, int64_t n) : p_(p), t_(t), n_(n) {}
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
  Pool p_;
  DType t_;
  int64_t n_;  ///< output elements
};

std::unique_ptr<Kernel> CreateAdaptiveAvgPool(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  // Registered kSameLayout: data and output share one layout.
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  MXS_CHECK_CODE(in.ndim() == 4 && out.ndim() == 4 && in[0] == out[0] && in[1] == out[1],
                 kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": shapes " << in.ToString() << " -> "
      << out.ToString();
  Pool p;
  p.channels = in[1];
  p.ih = in[2];
  p.iw = in[3];
  p.oh = out[2];
  p.ow = out[3];
  p.channels_last = a.in[0].layout == Layout::kChannelsLast;
  return std::make_unique<AdaptiveAvgPoolCuda>(p, t, out.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, adaptive_pooling) {
  r.Add("_contrib_AdaptiveAvgPooling2D", cuda::Adapted(cuda::CreateAdaptiveAvgPool),
        Backend::kSameLayout, cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
