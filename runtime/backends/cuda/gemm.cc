// SPDX-License-Identifier: Apache-2.0
// Gemm: a row-major product is the column-major product of the transposes, C^T = op(B)^T op(A)^T,
// so B is passed first and no data moves.
#include "backends/cuda/gemm.h"

#include <limits>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

void CheckGemm(const GemmShape& g, DType dtype, const char* what) {
  const int64_t lim = std::numeric_limits<int>::max();
  MXS_CHECK_CODE(g.m <= lim && g.n <= lim && g.k <= lim && g.batch <= lim && g.lda <= lim &&
                     g.ldb <= lim && g.ldc <= lim,
                 kUnsupported)
      << what << ": matrix dims beyond cuBLAS's int range";
  MXS_CHECK_CODE(dtype == DType::kFloat32 || dtype == DType::kFloat16 || dtype == DType::kBfloat16,
                 kUnsupported)
      << what << ": cuBLAS products take float32, float16 or bfloat16, not " << DTypeName(dtype);
}

void Gemm(const CudaStream& s, DType dtype, const GemmShape& g, const void* a, const void* b,
          void* c) {
  const cudaDataType_t t = dtype == DType::kFloat32   ? CUDA_R_32F
                           : dtype == DType::kFloat16 ? CUDA_R_16F
                                                      : CUDA_R_16BF;
  const float zero = 0.f;
  const cublasOperation_t op_b = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int ldb = static_cast<int>(g.ldb != 0 ? g.ldb : g.trans_b ? g.k : g.n);
  const int lda = static_cast<int>(g.lda != 0 ? g.lda : g.trans_a ? g.m : g.k);
  const int ldc = static_cast<int>(g.ldc != 0 ? g.ldc : g.n);
  const long long stride_c = g.stride_c != 0 ? g.stride_c : g.m * g.n;
  MXS_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      s.cublas(), op_b, op_a, static_cast<int>(g.n), static_cast<int>(g.m), static_cast<int>(g.k),
      &g.alpha, b, t, ldb, g.stride_b, a, t, lda, g.stride_a, &zero, c, t, ldc, stride_c,
      static_cast<int>(g.batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

}  // namespace cuda
}  // namespace mxserve
