// SPDX-License-Identifier: Apache-2.0
// UpSampling on row-major (NCHW) float32 / float16 / bfloat16 data. nearest: one thread per
// output element; each input is repeated by its own whole factor, into its channel range of the
// output (concat) or, with several inputs in sum mode, added in input order in float32. bilinear:
// the cuDNN deconvolution kernel with the grouped parameters MXNet derives.
#include "ops/upsampling.h"

#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/deconvolution.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxInputs = 16;

/// The inputs of one nearest upsampling, passed to the kernel by value.
template <typename T>
struct Nearest {
  int num_inputs = 0;
  bool sum = false;                 ///< add every input onto the same channels
  int64_t channels, oh, ow;         ///< output extents
  const T* x[kMaxInputs];
  int64_t in_channels[kMaxInputs];  ///< each input's channels
  int64_t ih[kMaxInputs], iw[kMaxInputs];
  int64_t scale[kMaxInputs];        ///< output size / input size, the same for both axes
};

template <typename T>
__device__ __forceinline__ float Tap(const Nearest<T>& u, int k, int64_t n, int64_t c, int64_t h,
                                     int64_t w) {
  const int64_t s = u.scale[k];
  return Load(u.x[k], ((n * u.in_channels[k] + c) * u.ih[k] + h / s) * u.iw[k] + w / s);
}

template <typename T>
__global__ void NearestKernel(Nearest<T> u, T* y, int64_t total) {
  MXS_GRID_STRIDE(i, total) {
    const int64_t w = i % u.ow;
    int64_t rest = i / u.ow;
    const int64_t h = rest % u.oh;
    rest /= u.oh;
    int64_t c = rest % u.channels;
    const int64_t n = rest / u.channels;
    float v;
    if (u.sum) {
      v = Tap(u, 0, n, c, h, w);
      for (int k = 1; k < u.num_inputs; ++k) v += Tap(u, k, n, c, h, w);
    } else {
      int k = 0;
      while (c >= u.in_channels[k]) c -= u.in_channels[k++];
      v = Tap(u, k, n, c, h, w);
    }
    Store(y, i, v);
  }
}

class NearestCuda final : public Kernel {
 public:
  NearestCuda(const Nearest<float>& geometry, DType t, int64_t total)
      : u_(geometry), t_(t), total_(total) {}
  void Run(const RunArgs& args) const override {
    if (total_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T, Launch<T>(args, s));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return u_.sum ? "cuda:upsampling_nearest_sum" : "cuda:upsampling_nearest";
  }

 private:
  template <typename T>
  void Launch(const RunArgs& args, cudaStream_t s) const {
    Nearest<T> u;
    u.num_inputs = u_.num_inputs;
    u.sum = u_.sum;
    u.channels = u_.channels;
    u.oh = u_.oh;
    u.ow = u_.ow;
    for (int k = 0; k < u_.num_inputs; ++k) {
      u.x[k] = static_cast<const T*>(args.in[k]);
      u.in_channels[k] = u_.in_channels[k];
      u.ih[k] = u_.ih[k];
      u.iw[k] = u_.iw[k];
      u.scale[k] = u_.scale[k];
    }
    NearestKernel<<<GridFor(total_), kThreads, 0, s>>>(u, static_cast<T*>(args.out[0]), total_);
  }

  Nearest<float> u_;  ///< the geometry; the pointers are set per call
  DType t_;
  int64_t total_;     ///< output elements
};

std::unique_ptr<Kernel> CreateUpSampling(const KernelArgs& a) {
  const auto& p = a.param<UpSamplingParam>();
  if (p.bilinear()) return CreateDeconvolutionKernel(a, p.Deconvolution());
  const std::string what = NodeDesc(a.node);
  const DType t = a.out[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t), kUnsupported)
      << "failed to plan " << what << ": the CUDA kernel takes float32, float16 or bfloat16 data";
  const int num = static_cast<int>(a.in.size());
  MXS_CHECK_CODE(num <= kMaxInputs, kUnsupported)
      << "failed to plan " << what << ": " << num << " inputs, the CUDA kernel takes up to "
      << kMaxInputs;
  const Shape& out = a.out[0].shape;
  MXS_CHECK_CODE(out.ndim() == 4 && a.out[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": the CUDA kernel takes 4-D row-major (NCHW) data";
  Nearest<float> u;
  u.num_inputs = num;
  u.sum = p.multi_input_mode == "sum" && num > 1;
  u.channels = out[1];
  u.oh = out[2];
  u.ow = out[3];
  int64_t channels = 0;
  for (int k = 0; k < num; ++k) {
    const TensorDesc& in = a.in[k];
    MXS_CHECK_CODE(in.dtype == t && in.layout == Layout::kRowMajor, kUnsupported)
        << "failed to plan " << what << ": input " << k << " is not row-major "
        << DTypeName(t);
    const Shape& s = in.shape;
    MXS_CHECK_CODE(s.ndim() == 4 && s[0] == out[0] && s[2] > 0 && s[3] > 0 &&
                       out[2] % s[2] == 0 && out[3] % s[3] == 0 &&
                       out[2] / s[2] == out[3] / s[3],
                   kInternal)
        << "failed to plan " << what << ": input " << k << " " << s.ToString()
        << " for output " << out.ToString();
    u.x[k] = nullptr;
    u.in_channels[k] = s[1];
    u.ih[k] = s[2];
    u.iw[k] = s[3];
    u.scale[k] = out[2] / s[2];
    channels = u.sum ? s[1] : channels + s[1];
    MXS_CHECK_CODE(!u.sum || s[1] == out[1], kInternal)
        << "failed to plan " << what << ": summed input " << k << " has " << s[1]
        << " channels, the output " << out[1];
  }
  MXS_CHECK_CODE(channels == out[1], kInternal)
      << "failed to plan " << what << ": the inputs' channels do not add up to the output's "
      << out[1];
  return std::make_unique<NearestCuda>(u, t, out.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, upsampling) {
  r.Add("UpSampling", cuda::Adapted(cuda::CreateUpSampling), Backend::kRowMajorOnly,
        cuda::kReducedConverting)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
