// SPDX-License-Identifier: Apache-2.0
// _contrib_BilinearResize2D on float32 / float16 / bfloat16 data, row-major (NCHW) or
// channels-last (NHWC): one thread per output element. Every mode only sets the output size,
// so all of them run here (the like input is never read). Each thread maps its output row and
// column to source coordinates with the CPU kernel's formula in the same float / double steps
// (align_corners: scale * o; otherwise scale * (o + 0.5) - 0.5 in double, clamped at 0) and
// blends the four taps in float32 as the CPU kernel does, every multiply and add rounded
// separately. Equal input and output sizes copy the data.
#include "ops/bilinear_resize.h"

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

/// The geometry of one resize.
struct Resize : Spatial2D {
  bool align_corners = true;
  float scale_h = 0.f, scale_w = 0.f;  ///< source pixels per output pixel
};

/// The CPU kernel's scale for one axis.
float ScaleOf(int64_t in, int64_t out, bool align_corners) {
  if (out <= 1) return 0.f;
  return align_corners ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                       : static_cast<float>(in) / static_cast<float>(out);
}

/// First source index, offset to the second one (0 at the border) and the second one's weight.
struct Tap {
  int64_t index, next;
  float lambda;
};

__device__ __forceinline__ Tap TapOf(int64_t o, int64_t in, float scale, bool align_corners) {
  float src;
  if (align_corners) {
    src = __fmul_rn(scale, static_cast<float>(o));
  } else {
    const double centre = __dadd_rn(static_cast<double>(o), 0.5);
    src = static_cast<float>(__dadd_rn(__dmul_rn(static_cast<double>(scale), centre), -0.5));
    if (src < 0) src = 0;
  }
  Tap t;
  t.index = static_cast<int>(src);
  t.next = t.index < in - 1 ? 1 : 0;
  t.lambda = __fsub_rn(src, static_cast<float>(t.index));
  return t;
}

template <typename T>
__global__ void BilinearKernel(const T* x, T* y, int64_t n, Resize r) {
  MXS_GRID_STRIDE(i, n) {
    const Pixel px = PixelOf(i, r);
    const Tap th = TapOf(px.oh, r.ih, r.scale_h, r.align_corners);
    const Tap tw = TapOf(px.ow, r.iw, r.scale_w, r.align_corners);
    const float h1l = th.lambda, h0l = __fsub_rn(1.f, h1l);
    const float w1l = tw.lambda, w0l = __fsub_rn(1.f, w1l);
    const int64_t r0 = px.base + th.index * px.row_stride, r1 = r0 + th.next * px.row_stride;
    const int64_t c0 = tw.index * px.col_stride, c1 = c0 + tw.next * px.col_stride;
    const float top = __fadd_rn(__fmul_rn(w0l, Load(x, r0 + c0)), __fmul_rn(w1l, Load(x, r0 + c1)));
    const float bottom =
        __fadd_rn(__fmul_rn(w0l, Load(x, r1 + c0)), __fmul_rn(w1l, Load(x, r1 + c1)));
    Store(y, i, __fadd_rn(__fmul_rn(h0l, top), __fmul_rn(h1l, bottom)));
  }
}

class BilinearResizeCuda final : public Kernel {
 public:
  BilinearResizeCuda(const Resize& r, DType t, int64_t n, size_t bytes)
      : r_(r), t_(t), n_(n), bytes_(bytes) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    if (r_.ih == r_.oh && r_.iw == r_.ow) {
      MXS_CUDA_CHECK(
          cudaMemcpyAsync(args.out[0], args.in[0], bytes_, cudaMemcpyDeviceToDevice, s));
      return;
    }
    MXS_FLOAT_DISPATCH(t_, T,
                       BilinearKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), n_,
                           r_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return r_.channels_last ? "cuda:bilinear_resize_nhwc" : "cuda:bilinear_resize";
  }

 private:
  Resize r_;
  DType t_;
  int64_t n_;     ///< output elements
  size_t bytes_;  ///< output bytes (the copy of equal sizes)
};

std::unique_ptr<Kernel> CreateBilinearResize(const KernelArgs& a) {
  const auto& p = a.param<BilinearResizeParam>();
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  Resize r;
  static_cast<Spatial2D&>(r) = Spatial2DOf(a);  // the like input is never read
  r.align_corners = p.align_corners;
  r.scale_h = ScaleOf(r.ih, r.oh, p.align_corners);
  r.scale_w = ScaleOf(r.iw, r.ow, p.align_corners);
  return std::make_unique<BilinearResizeCuda>(r, t, a.out[0].shape.Size(), a.out[0].nbytes());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, bilinear_resize) {
  // The like input (mode like) only gives the size.
  r.Add("_contrib_BilinearResize2D", cuda::Adapted(cuda::CreateBilinearResize),
        Backend::kSameLayout, cuda::kReducedSameType)
      .DTypes(cuda::kFloatData)
      .Input(1, dtypes::kAny);
}

}  // namespace mxserve
