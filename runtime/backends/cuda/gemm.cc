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

void Gemm(const CudaStream& s, DType dtype, const GemmShape& g, const void* a, const void* b,
          void* c) {
  const cudaDataType_t t = dtype == DType::kFloat32   ? CUDA_R_32F
                           : dtype == DType::kFloat16 ? CUDA_R_16F
                                                      : CUDA_R_16BF;
  const float zero = 0.f;
  const CublasGemmArgs x = CublasArgsOf(g);
  // cuBLAS's A is the shape's B (CublasArgsOf).
  MXS_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      s.cublas(), x.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, x.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
      static_cast<int>(x.m), static_cast<int>(x.n), static_cast<int>(x.k), &x.alpha, b, t,
      static_cast<int>(x.lda), x.stride_a, a, t, static_cast<int>(x.ldb), x.stride_b, &zero, c, t,
      static_cast<int>(x.ldc), x.stride_c, static_cast<int>(x.batch), CUBLAS_COMPUTE_32F,
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace cuda
}  // namespace mxserve
