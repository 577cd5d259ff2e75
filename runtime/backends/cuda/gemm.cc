// SPDX-License-Identifier: Apache-2.0
// Gemm: a row-major product is the column-major product of the transposes, C^T = op(B)^T op(A)^T,
// so B is passed first and no data moves (the arguments come from CublasArgsOf, gemm_plans.h).
#include "backends/cuda/gemm.h"

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/gemm_plans.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

namespace {

/// C of an empty contraction (k == 0): zeros, as on the CPU. cuBLAS is not called, since it
/// refuses the zero leading dimensions such a product has.
void ZeroProduct(const CudaStream& s, DType dtype, const CublasGemmArgs& x, void* c) {
  // Row-major C is the column-major (x.m, x.n): x.n rows of x.m elements, x.ldc apart.
  const size_t elem = DTypeSize(dtype);
  if (x.ldc == x.m && x.stride_c == x.m * x.n) {
    MXS_CUDA_CHECK(cudaMemsetAsync(c, 0, static_cast<size_t>(x.batch * x.m * x.n) * elem, s.get()));
    return;
  }
  for (int64_t p = 0; p < x.batch; ++p)
    MXS_CUDA_CHECK(cudaMemset2DAsync(static_cast<char*>(c) + p * x.stride_c * elem, x.ldc * elem, 0,
                                     x.m * elem, x.n, s.get()));
}

}  // namespace

void Gemm(const CudaStream& s, DType dtype, const GemmShape& g, const void* a, const void* b,
          void* c) {
  if (g.batch * g.m * g.n == 0) return;  // an empty product: nothing to write
  const CublasGemmArgs x = CublasArgsOf(g);
  if (g.k == 0) {
    ZeroProduct(s, dtype, x, c);
    return;
  }
  const cudaDataType_t t = dtype == DType::kFloat32   ? CUDA_R_32F
                           : dtype == DType::kFloat16 ? CUDA_R_16F
                                                      : CUDA_R_16BF;
  const float zero = 0.f;
  // cuBLAS's A is the shape's B (CublasArgsOf).
  MXS_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      s.cublas(), x.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, x.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
      static_cast<int>(x.m), static_cast<int>(x.n), static_cast<int>(x.k), &x.alpha, b, t,
      static_cast<int>(x.lda), x.stride_a, a, t, static_cast<int>(x.ldb), x.stride_b, &zero, c, t,
      static_cast<int>(x.ldc), x.stride_c, static_cast<int>(x.batch),
      g.tf32 && dtype == DType::kFloat32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F,
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace cuda
}  // namespace mxserve
