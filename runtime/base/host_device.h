// SPDX-License-Identifier: Apache-2.0
// Arithmetic that the CPU kernels and the CUDA kernels evaluate from one definition. Under nvcc
// MXS_HOST_DEVICE marks a function for both the host and the device; in the CPU build it is
// empty. The rounded operations round each product, sum or difference on its own: __fmul_rn and
// its kin in device code (so that nvcc fuses no multiply-add), the plain float operator on the
// host, which gives the same float32 result. HalfBitsToFloat reads IEEE half bits on either side.
#pragma once

#include <cstdint>

#include "base/dtype.h"

#if defined(__CUDACC__)
#include <cuda_fp16.h>
#define MXS_HOST_DEVICE __host__ __device__
#else
#define MXS_HOST_DEVICE
#endif

namespace mxserve {

/// a * b rounded to float32.
MXS_HOST_DEVICE inline float MulRn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

/// a + b rounded to float32.
MXS_HOST_DEVICE inline float AddRn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

/// a - b rounded to float32.
MXS_HOST_DEVICE inline float SubRn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

/// a / b rounded to float32.
MXS_HOST_DEVICE inline float DivRn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

/// The float32 value of IEEE half bits.
MXS_HOST_DEVICE inline float HalfBitsToFloat(uint16_t bits) {
#if defined(__CUDA_ARCH__)
  return __half2float(__ushort_as_half(bits));
#else
  return HalfToFloat(bits);
#endif
}

}  // namespace mxserve
