// SPDX-License-Identifier: Apache-2.0
// GEMM plans of the CUDA kernels (gemm_plans.h). A leading dimension left 0 in a GemmShape means
// the matrix is packed; CublasArgsOf resolves it.
#include "backends/cuda/gemm_plans.h"

#include <cmath>
#include <limits>
#include <utility>

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

CublasGemmArgs CublasArgsOf(const GemmShape& g) {
  CublasGemmArgs c;
  c.trans_a = g.trans_b;
  c.trans_b = g.trans_a;
  c.m = g.n;
  c.n = g.m;
  c.k = g.k;
  c.lda = g.ldb != 0 ? g.ldb : g.trans_b ? g.k : g.n;
  c.ldb = g.lda != 0 ? g.lda : g.trans_a ? g.m : g.k;
  c.ldc = g.ldc != 0 ? g.ldc : g.n;
  c.stride_a = g.stride_b;
  c.stride_b = g.stride_a;
  c.stride_c = g.stride_c != 0 ? g.stride_c : g.m * g.n;
  c.batch = g.batch;
  c.alpha = g.alpha;
  return c;
}

GemmShape FullyConnectedGemm(const FullyConnectedParam& p, const Shape& data) {
  GemmShape g;
  g.n = p.num_hidden;
  g.k = p.flatten ? ShapeProduct(data, 1, data.ndim()) : data[data.ndim() - 1];
  g.m = p.flatten ? data[0] : ShapeProduct(data, 0, data.ndim() - 1);
  g.trans_b = true;
  return g;
}

GemmShape DotGemm(const DotParam& p, const DotDims& d, bool batched) {
  GemmShape g;
  g.batch = d.batch;
  g.m = d.m;
  g.n = d.n;
  g.k = d.k;
  g.trans_a = p.transpose_a;
  g.trans_b = p.transpose_b;
  g.stride_a = batched ? d.m * d.k : 0;
  g.stride_b = batched ? d.k * d.n : 0;
  return g;
}

namespace {

/// Elements between batch items of an operand with batch axes `dims` (all but the last two) of
/// a product with batch axes `c`: the matrix size when they equal c's, 0 when all are 1, or -1.
int64_t BatchStride(const std::vector<int64_t>& dims, const std::vector<int64_t>& c) {
  const size_t nb = dims.size() - 2;
  bool same = true, shared = true;
  for (size_t i = 0; i < nb; ++i) {
    same = same && dims[i] == c[i];
    shared = shared && dims[i] == 1;
  }
  if (shared) return 0;
  return same ? dims[nb] * dims[nb + 1] : -1;
}

}  // namespace

bool MatmulGemm(const MatmulGeometry& geo, GemmShape* out) {
  const size_t nd = geo.c_dims.size();
  GemmShape g;
  g.m = geo.c_dims[nd - 2];
  g.n = geo.c_dims[nd - 1];
  g.k = geo.a_dims[nd - 1];
  g.batch = 1;
  for (size_t i = 0; i + 2 < nd; ++i) g.batch *= geo.c_dims[i];
  const int64_t sa = BatchStride(geo.a_dims, geo.c_dims);
  const int64_t sb = BatchStride(geo.b_dims, geo.c_dims);
  if (sa < 0 || sb < 0) {
    *out = g;
    return false;
  }
  if (sb == 0 && sa > 0) {
    // Every product shares B: the batch of A's matrices is one (batch * m, k) matrix.
    g.m *= g.batch;
    g.batch = 1;
  } else {
    g.stride_a = sa;
    g.stride_b = sb;
  }
  *out = g;
  return true;
}

namespace {

/// scores[n, i, j] = q_i . k_j / sqrt(hd) for n = b * heads + h: q rows of input 0 (batch
/// stride bs_q, row stride rq), k rows of input `kin` from element `koff` (bs_k, rk).
InterleavedGemm QkGemm(int64_t nb, int64_t lq, int64_t lk, int64_t hd, int64_t bs_q, int64_t rq,
                       int kin, int64_t bs_k, int64_t rk, int64_t koff) {
  InterleavedGemm r;
  GemmShape& g = r.g;
  g.batch = nb;
  g.m = lq;
  g.n = lk;
  g.k = hd;
  g.trans_b = true;
  g.stride_a = bs_q;
  g.lda = rq;
  g.stride_b = bs_k;
  g.ldb = rk;
  g.alpha = 1.0f / std::sqrt(static_cast<float>(hd));
  r.a_in = 0;
  r.b_in = kin;
  r.b_off = koff;
  return r;
}

/// out[i, b, h * hd + d] = sum_j att[n, i, j] v[j, n, d]: att is input 1, packed; v rows of
/// input 0 from element `voff` (batch stride bs_v, row stride rv); output rows row_out long.
InterleavedGemm ValAttGemm(int64_t nb, int64_t lq, int64_t lk, int64_t hd, int64_t bs_v, int64_t rv,
                           int64_t voff, int64_t row_out) {
  InterleavedGemm r;
  GemmShape& g = r.g;
  g.batch = nb;
  g.m = lq;
  g.n = hd;
  g.k = lk;
  g.stride_a = lq * lk;
  g.stride_b = bs_v;
  g.ldb = rv;
  g.stride_c = hd;
  g.ldc = row_out;
  r.a_in = 1;
  r.b_in = 0;
  r.b_off = voff;
  return r;
}

}  // namespace

InterleavedGemm SelfAttQkGemm(int64_t heads, const Shape& s) {
  const int64_t l = s[0], b = s[1], hd = s[2] / 3 / heads;
  return QkGemm(b * heads, l, l, hd, 3 * hd, b * s[2], 0, 3 * hd, b * s[2], hd);
}

InterleavedGemm SelfAttValAttGemm(int64_t heads, const Shape& s) {
  const int64_t l = s[0], b = s[1], hd = s[2] / 3 / heads;
  return ValAttGemm(b * heads, l, l, hd, 3 * hd, b * s[2], 2 * hd, b * heads * hd);
}

InterleavedGemm EncDecQkGemm(int64_t heads, const Shape& q, const Shape& kv) {
  const int64_t b = q[1], hd = q[2] / heads;
  return QkGemm(b * heads, q[0], kv[0], hd, hd, b * q[2], 1, 2 * hd, b * kv[2], 0);
}

InterleavedGemm EncDecValAttGemm(int64_t heads, const Shape& kv, const Shape& att) {
  const int64_t b = kv[1], hd = kv[2] / 2 / heads;
  return ValAttGemm(b * heads, att[1], kv[0], hd, 2 * hd, b * kv[2], hd, b * heads * hd);
}

namespace {

/// How cuBLAS reads a (rows, cols) matrix with element strides (s_row, s_col): row-major with
/// leading dimension *ld, or (*trans) stored transposed; false when it is neither.
bool MatrixLayout(int64_t rows, int64_t cols, int64_t s_row, int64_t s_col, bool* trans,
                  int64_t* ld) {
  if ((cols == 1 || s_col == 1) && (rows == 1 || s_row >= cols)) {
    *trans = false;
    *ld = rows == 1 ? cols : s_row;
    return true;
  }
  if ((rows == 1 || s_row == 1) && (cols == 1 || s_col >= rows)) {
    *trans = true;
    *ld = cols == 1 ? rows : s_col;
    return true;
  }
  return false;
}

}  // namespace

bool EinsumGemmOf(const EinsumMatmulPlan& p, int64_t max_calls, EinsumGemm* out) {
  GemmShape g;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  if (!MatrixLayout(p.m, p.k, p.a_m, p.a_k, &g.trans_a, &g.lda) ||
      !MatrixLayout(p.k, p.n, p.b_k, p.b_n, &g.trans_b, &g.ldb))
    return false;
  // The batch dims with the output's row-major strides; size-1 dims dropped, neighbours that
  // step as one dim in A, B and C merged.
  const size_t nb = p.batch_dims.size();
  std::vector<int64_t> c_batch(nb);
  int64_t acc = p.m * p.n;
  for (size_t i = nb; i-- > 0;) {
    c_batch[i] = acc;
    acc *= p.batch_dims[i];
  }
  std::vector<int64_t> dims, sa, sb, sc;
  for (size_t i = 0; i < nb; ++i) {
    const int64_t d = p.batch_dims[i];
    if (d == 1) continue;
    if (!dims.empty() && sa.back() == p.a_batch[i] * d && sb.back() == p.b_batch[i] * d &&
        sc.back() == c_batch[i] * d) {
      dims.back() *= d;
      sa.back() = p.a_batch[i];
      sb.back() = p.b_batch[i];
      sc.back() = c_batch[i];
      continue;
    }
    dims.push_back(d);
    sa.push_back(p.a_batch[i]);
    sb.push_back(p.b_batch[i]);
    sc.push_back(c_batch[i]);
  }
  if (!dims.empty()) {
    g.batch = dims.back();
    g.stride_a = sa.back();
    g.stride_b = sb.back();
    g.stride_c = sc.back();
    dims.pop_back();
  }
  int64_t calls = 1;
  for (int64_t d : dims) calls *= d;
  if (calls > max_calls) return false;
  EinsumGemm r;
  r.g = g;
  for (int64_t call = 0; call < calls; ++call) {
    int64_t rest = call, oa = 0, ob = 0, oc = 0;
    for (size_t d = dims.size(); d-- > 0;) {
      const int64_t j = rest % dims[d];
      rest /= dims[d];
      oa += j * sa[d];
      ob += j * sb[d];
      oc += j * sc[d];
    }
    r.a_off.push_back(oa);
    r.b_off.push_back(ob);
    r.c_off.push_back(oc);
  }
  *out = std::move(r);
  return true;
}

}  // namespace cuda
}  // namespace mxserve
