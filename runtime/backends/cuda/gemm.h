// SPDX-License-Identifier: Apache-2.0
// Row-major (batched) matrix products on cuBLAS, the core of FullyConnected, dot and batch_dot:
// C = op(A) op(B) with float32 accumulation (float32 data: no TF32 unless the shape asks for
// it; float16: tensor cores).
#pragma once

#include <cstdint>

#include "base/dtype.h"

namespace mxserve {
namespace cuda {

class CudaStream;

struct GemmShape {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool trans_a = false;  ///< A is stored (k, m) instead of (m, k)
  bool trans_b = false;  ///< B is stored (n, k) instead of (k, n)
  int64_t stride_a = 0, stride_b = 0;  ///< elements between batch items (0: shared)
  int64_t lda = 0, ldb = 0;  ///< elements between rows of A and B as stored (0: packed)
  int64_t ldc = 0;           ///< elements between rows of C (0: packed, n)
  int64_t stride_c = 0;      ///< elements between batch items of C (0: m * n)
  float alpha = 1.f;         ///< factor on the product, applied to the float32 accumulator
  bool tf32 = false;         ///< float32 data may use TF32 tensor cores (MXSERVE_CUDA_TF32)
};

/// Checks the shape fits cuBLAS's int arguments and dtype is one cuBLAS multiplies; throws
/// kUnsupported naming `what` otherwise (gemm_plans.cc).
void CheckGemm(const GemmShape& g, DType dtype, const char* what);
/// C (batch, m, n) = alpha op(A) op(B) on the stream's cuBLAS handle; zeros when k is 0,
/// nothing when C is empty.
void Gemm(const CudaStream& s, DType dtype, const GemmShape& g, const void* a, const void* b,
          void* c);

}  // namespace cuda
}  // namespace mxserve
