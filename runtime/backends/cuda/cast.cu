// SPDX-License-Identifier: Apache-2.0
// Cast and amp_cast between float32, float16, bfloat16, int32 and int64 on CUDA (other pairs run
// on the CPU backend), converting as the CPU kernel's static_cast does on x86-64 (Convert).
#include "ops/cast.h"

#include <memory>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cuda/cast_launch.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/np_fn.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

__device__ __forceinline__ float ToF(float v) { return v; }
__device__ __forceinline__ float ToF(__half v) { return __half2float(v); }
__device__ __forceinline__ float ToF(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename TO>
__device__ __forceinline__ TO FromF(float v) { return v; }
template <>
__device__ __forceinline__ __half FromF<__half>(float v) {
  return __float2half_rn(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 FromF<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

template <typename T>
constexpr bool kIsInt = std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>;

/// static_cast<TO>(x) as the CPU kernel computes it on x86-64: integers convert to integers
/// modulo 2^bits and to float16 / bfloat16 through one rounding to float32; floats truncate to
/// integers, NaN and out-of-range values giving the integer type's lowest value.
template <typename TO, typename TI>
__device__ __forceinline__ TO Convert(TI x) {
  if constexpr (kIsInt<TI> && kIsInt<TO>) {
    return static_cast<TO>(x);
  } else if constexpr (kIsInt<TI>) {
    return FromF<TO>(static_cast<float>(x));
  } else if constexpr (kIsInt<TO>) {
    return np::FromDouble<TO>(static_cast<double>(ToF(x)));
  } else {
    return FromF<TO>(ToF(x));
  }
}

template <typename TI, typename TO>
__global__ void CastKernel(const TI* x, TO* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) { y[i] = Convert<TO>(x[i]); }
}

template <typename TI, typename TO>
void CastN(const void* x, void* y, int64_t n, cudaStream_t s) {
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
    case 0: return CastN<TI, float>;
    case 1: return CastN<TI, __half>;
    case 2: return CastN<TI, __nv_bfloat16>;
    case 3: return CastN<TI, int32_t>;
    default: return CastN<TI, int64_t>;
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
  CastCuda(DType from, DType to, int64_t n) : from_(from), to_(to), n_(n) {}
  void Run(const RunArgs& args) const override {
    if (from_ == to_ && args.out[0] == args.in[0]) return;
    LaunchCast(from_, to_, args.in[0], args.out[0], n_, StreamOf(args).get());
  }
  std::string Describe() const override { return "cuda:cast"; }

 private:
  DType from_, to_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateCast(const KernelArgs& a) {
  const DType from = a.in[0].dtype, to = a.out[0].dtype;
  MXS_CHECK_CODE(CanCast(from, to), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": a cast from " << DTypeName(from) << " to "
      << DTypeName(to) << " has no CUDA kernel";
  return std::make_unique<CastCuda>(from, to, a.in[0].shape.Size());
}

}  // namespace

bool CanCast(DType from, DType to) { return from == to || (Slot(from) >= 0 && Slot(to) >= 0); }

void LaunchCast(DType from, DType to, const void* x, void* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  if (from == to) {
    if (x != y)
      MXS_CUDA_CHECK(cudaMemcpyAsync(y, x, static_cast<size_t>(n) * DTypeSize(from),
                                     cudaMemcpyDeviceToDevice, stream));
    return;
  }
  Pick(Slot(from), Slot(to))(x, y, n, stream);
  MXS_CUDA_CHECK_LAUNCH();
}

}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, cast) {
  // The dtypes Slot() has a row for.
  constexpr DTypeSet kCastTypes{DType::kFloat32, DType::kFloat16, DType::kBfloat16, DType::kInt32,
                                DType::kInt64};
  r.Add("Cast", cuda::CreateCast).DTypes(kCastTypes);
  r.Add("amp_cast", cuda::CreateCast).DTypes(kCastTypes);
}

}  // namespace mxserve
