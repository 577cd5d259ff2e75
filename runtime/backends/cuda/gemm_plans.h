// SPDX-License-Identifier: Apache-2.0
// The cuBLAS products of the GEMM-based CUDA kernels as plain host arithmetic: which GemmShape
// each operator's shapes and attributes give, and which arguments Gemm passes to
// cublasGemmStridedBatchedEx for a GemmShape. Nothing here includes CUDA, so the CPU test build
// compiles this file and checks every plan, through a host model of cuBLAS's column-major
// contract, against the CPU kernels (tests/cpp/test_gemm_plans.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "backends/cuda/gemm.h"
#include "base/shape.h"
#include "ops/dot.h"
#include "ops/einsum.h"
#include "ops/fully_connected.h"
#include "ops/matmul.h"

namespace mxserve {
namespace cuda {

/// The arguments of cublasGemmStridedBatchedEx (column-major: C = alpha op(A) op(B), C m x n,
/// element (i, j) of C at C[i + j * ldc]) that Gemm passes for a row-major GemmShape: the
/// row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T, so cuBLAS's A is the
/// shape's B and its m the shape's n.
struct CublasGemmArgs {
  bool trans_a = false, trans_b = false;  ///< CUBLAS_OP_T for cuBLAS's A and B
  int64_t m = 0, n = 0, k = 0;
  int64_t lda = 0, ldb = 0, ldc = 0;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;
  int64_t batch = 0;
  float alpha = 1.f;
};

CublasGemmArgs CublasArgsOf(const GemmShape& g);

/// FullyConnected: data (m, k) times the weight (n, k) transposed.
GemmShape FullyConnectedGemm(const FullyConnectedParam& p, const Shape& data);

/// dot (batched false) and batch_dot (batched true).
GemmShape DotGemm(const DotParam& p, const DotDims& d, bool batched);

/// _npi_matmul; false where the batch axes of an operand broadcast partly (neither the
/// product's own batch axes nor all 1), which has no strided-batched form (*g then holds the
/// product's batch, m, n and k only).
bool MatmulGemm(const MatmulGeometry& geo, GemmShape* g);

/// One product of an interleaved attention operator: A read from input a_in starting a_off
/// elements in, B from input b_in starting b_off elements in.
struct InterleavedGemm {
  GemmShape g;
  int a_in = 0, b_in = 0;
  int64_t a_off = 0, b_off = 0;
};

/// _contrib_interleaved_matmul_selfatt_qk of the projections `qkv` (len, batch, 3 * heads * hd).
InterleavedGemm SelfAttQkGemm(int64_t heads, const Shape& qkv);
/// _contrib_interleaved_matmul_selfatt_valatt of `qkv` and the attention (batch * heads, len, len).
InterleavedGemm SelfAttValAttGemm(int64_t heads, const Shape& qkv);
/// _contrib_interleaved_matmul_encdec_qk of queries `q` (lq, batch, heads * hd) and `kv`
/// (lk, batch, 2 * heads * hd).
InterleavedGemm EncDecQkGemm(int64_t heads, const Shape& q, const Shape& kv);
/// _contrib_interleaved_matmul_encdec_valatt of `kv` and the attention `att`
/// (batch * heads, lq, lk).
InterleavedGemm EncDecValAttGemm(int64_t heads, const Shape& kv, const Shape& att);

/// The matmul form of an einsum as GEMM calls: one strided batch over the innermost batch dim
/// left after merging, one call per index of the others, each at its element offsets.
struct EinsumGemm {
  GemmShape g;
  std::vector<int64_t> a_off, b_off, c_off;  ///< per call
};

/// False where an operand's matrix is neither row-major nor transposed with a leading
/// dimension cuBLAS takes, or the calls would exceed max_calls.
bool EinsumGemmOf(const EinsumMatmulPlan& p, int64_t max_calls, EinsumGemm* out);

}  // namespace cuda
}  // namespace mxserve
