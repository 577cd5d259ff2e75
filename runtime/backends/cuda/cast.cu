// SPDX-License-Identifier: Apache-2.0
// Cast and amp_cast between float32, float16, bfloat16, int32 and int64 on CUDA (other pairs run
// on the CPU backend). A float to int cast truncates toward zero, as a C cast does.
#include "ops/cast.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

__device__ __forceinline__ float ToF(float v) { return v; }
__device__ __forceinline__ float ToF(__half v) { return __half2float(v); }
__device__ __forceinline__ float ToF(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ __forceinline__ double ToF(int32_t v) { return v; }
__device__ __forceinline__ double ToF(int64_t v) { return static_cast<double>(v); }

template <typename TO>
__device__ __forceinline__ TO FromF(double v) { return static_cast<TO>(v); }
template <>
__device__ __forceinline__ __half FromF<__half>(double v) { return __float2half_rn(static_cast<float>(v)); }
template <>
__device__ __forceinline__ __nv_bfloat16 FromF<__nv_bfloat16>(double v) {
  return __float2bfloat16_rn(static_cast<float>(v));
}

template <typename TI, typename TO>
__global__ void CastKernel(const TI* x, TO* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) { y[i] = FromF<TO>(static_cast<double>(ToF(x[i]))); }
}

template <typename TI, typename TO>
void LaunchCast(const void* x, void* y, int64_t n, cudaStream_t s) {
  CastKernel<<<GridFor(n), kThreads, 0, s>>>(static_cast<const TI*>(x), static_cast<TO*>(y), n);
}

using CastFn = void (*)(const void*, void*, int64_t, cudaStream_t);

int Slot(DType t) {
  switch (t) {
    case DType::kFloat32: return 0;
    case DType::kFloat16: return 1;
    case DType::kBfloat16: return 2;
    case DType::kInt32: return 3;
    case DType::kInt64: return 4;
    default: return -1;
  }
}

template <typename TI>
CastFn Row(int to) {
  switch (to) {
    case 0: return LaunchCast<TI, float>;
    case 1: return LaunchCast<TI, __half>;
    case 2: return LaunchCast<TI, __nv_bfloat16>;
    case 3: return LaunchCast<TI, int32_t>;
    default: return LaunchCast<TI, int64_t>;
  }
}

CastFn Pick(int from, int to) {
  switch (from) {
    case 0: return Row<float>(to);
    case 1: return Row<__half>(to);
    case 2: return Row<__nv_bfloat16>(to);
    case 3: return Row<int32_t>(to);
    default: return Row<int64_t>(to);
  }
}

class CastCuda final : public Kernel {
 public:
  CastCuda(CastFn fn, int64_t n, size_t bytes, bool same) : fn_(fn), n_(n), bytes_(bytes), same_(same) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    if (same_) {
      if (args.out[0] != args.in[0] && bytes_ != 0)
        MXS_CUDA_CHECK(cudaMemcpyAsync(args.out[0], args.in[0], bytes_, cudaMemcpyDeviceToDevice, s));
      return;
    }
    if (n_ == 0) return;
    fn_(args.in[0], args.out[0], n_, s);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:cast"; }

 private:
  CastFn fn_;
  int64_t n_;
  size_t bytes_;
  bool same_;
};

std::unique_ptr<Kernel> CreateCast(const KernelArgs& a) {
  const DType from = a.in[0].dtype, to = a.out[0].dtype;
  const int f = Slot(from), t = Slot(to);
  MXS_CHECK_CODE(from == to || (f >= 0 && t >= 0), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": a cast from " << DTypeName(from) << " to "
      << DTypeName(to) << " has no CUDA kernel";
  return std::make_unique<CastCuda>(from == to ? nullptr : Pick(f, t), a.in[0].shape.Size(),
                                    a.out[0].nbytes(), from == to);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, cast) {
  r.Add("Cast", cuda::CreateCast);
  r.Add("amp_cast", cuda::CreateCast);
}

}  // namespace mxserve
