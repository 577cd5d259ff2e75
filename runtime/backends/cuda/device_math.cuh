// SPDX-License-Identifier: Apache-2.0
// Device-side helpers for the .cu kernels: grid-stride launch sizes, float/half conversion and
// the element-wise functions of EltAlg.
#pragma once

#include <cuda_fp16.h>
#include <cuda_bf16.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "backends/cuda/eltwise.h"

namespace mxserve {
namespace cuda {

/// static_cast<int>(float) as x86 computes it: NaN and out-of-range values give INT_MIN.
__device__ __forceinline__ int CpuIntOf(float v) {
  return (v >= -2147483648.f && v < 2147483648.f) ? static_cast<int>(v) : INT_MIN;
}

constexpr int kThreads = 256;

/// Blocks for a grid-stride loop over n elements.
inline unsigned GridFor(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(blocks, 65536)));
}

#define MXS_GRID_STRIDE(i, n)                                                        \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

/// Runs the statements with T the element type of a float32, float16 or bfloat16 tensor.
#define MXS_FLOAT_DISPATCH(dtype, T, ...)                      \
  switch (dtype) {                                             \
    case ::mxserve::DType::kFloat16: {                         \
      using T = __half;                                        \
      __VA_ARGS__;                                             \
      break;                                                   \
    }                                                          \
    case ::mxserve::DType::kBfloat16: {                        \
      using T = __nv_bfloat16;                                 \
      __VA_ARGS__;                                             \
      break;                                                   \
    }                                                          \
    default: {                                                 \
      using T = float;                                         \
      __VA_ARGS__;                                             \
      break;                                                   \
    }                                                          \
  }

/// True for the dtypes MXS_FLOAT_DISPATCH handles.
inline bool IsFloatData(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16;
}

__device__ __forceinline__ float Load(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float Load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float Load(const __nv_bfloat16* p, int64_t i) {
  return __bfloat162float(p[i]);
}
__device__ __forceinline__ void Store(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void Store(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void Store(__nv_bfloat16* p, int64_t i, float v) {
  p[i] = __float2bfloat16_rn(v);
}

__device__ __forceinline__ float SoftRelu(float x) { return x > 20.f ? x : log1pf(expf(x)); }

__device__ __forceinline__ float ApplyElt(EltAlg alg, float alpha, float beta, float x) {
  switch (alg) {
    case EltAlg::kIdentity: return x;
    case EltAlg::kRelu: return x > 0.f ? x : alpha * x;
    case EltAlg::kLogistic: return 1.f / (1.f + expf(-x));
    case EltAlg::kLogSigmoid: return -SoftRelu(-x);
    case EltAlg::kTanh: return tanhf(x);
    case EltAlg::kSoftRelu: return SoftRelu(x);
    case EltAlg::kSoftsign: return x / (1.f + fabsf(x));
    // MXNet's order: the upper bound first (a_min > a_max gives a_max above it), NaN kept.
    case EltAlg::kClip: return x > beta ? beta : (x < alpha ? alpha : x);
    case EltAlg::kElu: return x > 0.f ? x : alpha * expm1f(x);
    case EltAlg::kSelu: {
      const float kAlpha = 1.6732632423543772848170429916717f;
      const float kLambda = 1.0507009873554804934193349852946f;
      return kLambda * (x > 0.f ? x : kAlpha * expm1f(x));
    }
    case EltAlg::kGeluErf: return 0.5f * x * (1.f + erff(x * 0.70710678118654752440f));
    case EltAlg::kSwish: return x / (1.f + expf(-alpha * x));
    case EltAlg::kMish: return x * tanhf(SoftRelu(x));
    case EltAlg::kAbs: return fabsf(x);
    case EltAlg::kPrelu: return x;  // needs the channel's slope: handled by the caller
  }
  return x;
}

}  // namespace cuda
}  // namespace mxserve
