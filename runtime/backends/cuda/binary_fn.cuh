// SPDX-License-Identifier: Apache-2.0
// BinaryFn on the device, in float arithmetic, as MXNet's mshadow_op computes it for floating
// point data (the CUDA binary kernels take float32 and float16 only).
#pragma once

#include "backends/cuda/device_math.cuh"
#include "ops/elemwise_binary.h"

namespace mxserve {
namespace cuda {

__device__ __forceinline__ float ApplyBinary(BinaryFn f, float a, float b) {
  switch (f) {
    case BinaryFn::kAdd: return a + b;
    case BinaryFn::kSub: return a - b;
    case BinaryFn::kMul: return a * b;
    case BinaryFn::kDiv: return a / b;
    case BinaryFn::kPow: return powf(a, b);
    case BinaryFn::kMax: return (a > b || a != a) ? a : b;
    case BinaryFn::kMin: return (a < b || a != a) ? a : b;
    case BinaryFn::kMod: {
      if (b == 0.f) return 0.f;
      if (b < 0.f) {
        if (a < 0.f) return -fmodf(-a, -b);
        const float r = fmodf(a, -b);
        return r + (r != 0.f ? b : 0.f);
      }
      if (a < 0.f) {
        const float r = fmodf(-a, b);
        return -r + (r != 0.f ? b : 0.f);
      }
      return fmodf(a, b);
    }
    case BinaryFn::kHypot: return hypotf(a, b);
    case BinaryFn::kSmoothL1: {
      const float bsq = b * b, ibsq = 1.f / bsq;
      if (a > ibsq) return a - 0.5f * ibsq;
      if (a < -ibsq) return -a - 0.5f * ibsq;
      return 0.5f * a * a * bsq;
    }
    case BinaryFn::kEqual: return a == b;
    case BinaryFn::kNotEqual: return a != b;
    case BinaryFn::kGreater: return a > b;
    case BinaryFn::kGreaterEqual: return a >= b;
    case BinaryFn::kLesser: return a < b;
    case BinaryFn::kLesserEqual: return a <= b;
    case BinaryFn::kLogicalAnd: return (a != 0.f) && (b != 0.f);
    case BinaryFn::kLogicalOr: return (a != 0.f) || (b != 0.f);
    case BinaryFn::kLogicalXor: return (a == 0.f) != (b == 0.f);
  }
  return 0.f;
}

}  // namespace cuda
}  // namespace mxserve
