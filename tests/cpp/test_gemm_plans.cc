// SPDX-License-Identifier: Apache-2.0
// The cuBLAS plans of the CUDA GEMM kernels (backends/cuda/gemm_plans.h), checked without a GPU:
// each operator's plan is run through a host model of cublasGemmStridedBatchedEx's documented
// column-major contract (including its leading-dimension limits) and compared with the CPU
// kernel of the same one-node graph, itself checked against MXNet by the oracle tests. FC, dot,
// batch_dot, _npi_matmul, the four interleaved attention products and einsum's matmul form.
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/gemm_plans.h"
#include "graph/ndarray_file.h"
#include "mxserve/predictor.h"
#include "ops/interleaved_matmul.h"
#include "one_node.h"

using namespace mxserve;
using namespace mxserve::cuda;
using namespace mxserve::testing;

namespace {

/// cublasGemmStridedBatchedEx on the host: for each batch item p, C_p = alpha op(A_p) op(B_p),
/// column-major. False where cuBLAS answers CUBLAS_STATUS_INVALID_VALUE (negative sizes, a
/// leading dimension below the rows it must span).
bool CublasModel(const CublasGemmArgs& x, const float* A, const float* B, float* C) {
  if (x.m < 0 || x.n < 0 || x.k < 0 || x.batch < 0) return false;
  if (x.lda < std::max<int64_t>(1, x.trans_a ? x.k : x.m)) return false;
  if (x.ldb < std::max<int64_t>(1, x.trans_b ? x.n : x.k)) return false;
  if (x.ldc < std::max<int64_t>(1, x.m)) return false;
  for (int64_t p = 0; p < x.batch; ++p) {
    const float* a = A + p * x.stride_a;
    const float* b = B + p * x.stride_b;
    float* c = C + p * x.stride_c;
    for (int64_t j = 0; j < x.n; ++j)
      for (int64_t i = 0; i < x.m; ++i) {
        double acc = 0;
        for (int64_t l = 0; l < x.k; ++l) {
          const float av = x.trans_a ? a[l + i * x.lda] : a[i + l * x.lda];
          const float bv = x.trans_b ? b[j + l * x.ldb] : b[l + j * x.ldb];
          acc += static_cast<double>(av) * bv;
        }
        c[i + j * x.ldc] = static_cast<float>(x.alpha * acc);
      }
  }
  return true;
}

/// Gemm(g, a, b, c) as the CUDA kernels call it: cuBLAS's A is the shape's B.
bool GemmModel(const GemmShape& g, const float* a, const float* b, float* c) {
  return CublasModel(CublasArgsOf(g), b, a, c);
}

int failures = 0;

void Compare(const std::string& what, const std::vector<float>& want,
             const std::vector<float>& got) {
  double worst = 0;
  bool same_size = want.size() == got.size();
  for (size_t i = 0; same_size && i < want.size(); ++i) {
    const double d = std::fabs(static_cast<double>(want[i]) - got[i]);
    if (!(d <= 1e-5 + 1e-5 * std::fabs(want[i])))
      worst = std::isnan(d) ? INFINITY : std::fmax(worst, d);
  }
  if (!same_size || worst > 0) {
    std::fprintf(stderr, "%s: the cuBLAS plan differs from the CPU kernel (%s %g)\n", what.c_str(),
                 same_size ? "max error" : "sizes", same_size ? worst : 0.0);
    ++failures;
  }
}

/// Runs one GEMM plan on the graph's inputs and compares it with the CPU kernel.
void Check(const std::string& what, const OneNode& g, const GemmShape& plan, int a_in = 0,
           int64_t a_off = 0, int b_in = 1, int64_t b_off = 0) {
  std::vector<std::vector<float>> in;
  const std::vector<float> want = CpuOutput(g, &in);
  std::vector<float> got(want.size(), NAN);
  CheckGemm(plan, DType::kFloat32, what.c_str());
  if (!GemmModel(plan, in[a_in].data() + a_off, in[b_in].data() + b_off, got.data())) {
    std::fprintf(stderr, "%s: cuBLAS would refuse the plan's leading dimensions\n", what.c_str());
    ++failures;
    return;
  }
  Compare(what, want, got);
}

void FullyConnected(const Shape& data, int64_t hidden, bool flatten) {
  FullyConnectedParam p;
  p.num_hidden = hidden;
  p.no_bias = true;
  p.flatten = flatten;
  const int64_t k = flatten ? ShapeProduct(data, 1, data.ndim()) : data[data.ndim() - 1];
  OneNode g{"FullyConnected",
          {{"num_hidden", std::to_string(hidden)},
           {"no_bias", "True"},
           {"flatten", flatten ? "True" : "False"}},
          {{"data", data}, {"weight", Shape{hidden, k}}}};
  Check("FullyConnected " + data.ToString() + (flatten ? "" : " flatten=False"), g,
        FullyConnectedGemm(p, data));
}

void Dot(const char* op, const Shape& lhs, const Shape& rhs, bool ta, bool tb) {
  DotParam p;
  p.transpose_a = ta;
  p.transpose_b = tb;
  const bool batched = std::string(op) == "batch_dot";
  const DotDims d = batched ? BatchDotShapeOf(p, lhs, rhs) : DotShapeOf(p, lhs, rhs);
  OneNode g{op,
          {{"transpose_a", ta ? "True" : "False"}, {"transpose_b", tb ? "True" : "False"}},
          {{"lhs", lhs}, {"rhs", rhs}}};
  Check(std::string(op) + " " + lhs.ToString() + (ta ? "^T" : "") + " x " + rhs.ToString() +
            (tb ? "^T" : ""),
        g, DotGemm(p, d, batched));
}

void Matmul(const Shape& a, const Shape& b) {
  GemmShape plan;
  const std::string what = "_npi_matmul " + a.ToString() + " x " + b.ToString();
  if (!MatmulGemm(MatmulShapes(a, b), &plan)) {
    std::fprintf(stderr, "%s: no strided plan\n", what.c_str());
    ++failures;
    return;
  }
  Check(what, OneNode{"_npi_matmul", {}, {{"a", a}, {"b", b}}, "20000"}, plan);
}

/// An interleaved attention product of inputs `shapes` (one or two).
void Interleaved(const char* op, const InterleavedGemm& p, const std::vector<Shape>& shapes,
                 int64_t heads) {
  OneNode g{op, {{"heads", std::to_string(heads)}}, {}};
  std::string what = op;
  for (size_t i = 0; i < shapes.size(); ++i) {
    g.inputs.push_back({"x" + std::to_string(i), shapes[i]});
    what += " " + shapes[i].ToString();
  }
  Check(what, g, p.g, p.a_in, p.a_off, p.b_in, p.b_off);
}

/// An einsum with a matmul form: the GEMM calls of EinsumGemmOf against the CPU kernel.
void Einsum(const std::string& subscripts, const Shape& a, const Shape& b, int64_t max_calls,
            bool expect_plan) {
  EinsumParam p;
  p.num_args = 2;
  p.subscripts = subscripts;
  const std::string what = "einsum '" + subscripts + "' " + a.ToString() + " " + b.ToString();
  EinsumMatmulPlan mm;
  EinsumGemm e;
  const bool planned = MakeEinsumMatmulPlan({a, b}, MakeEinsumSpec(p, {a, b}), &mm) &&
                       EinsumGemmOf(mm, max_calls, &e);
  if (planned != expect_plan) {
    std::fprintf(stderr, "%s: %s a GEMM plan\n", what.c_str(), planned ? "has" : "lacks");
    ++failures;
    return;
  }
  if (!planned) return;
  OneNode g{"_npi_einsum",
          {{"subscripts", subscripts}, {"num_args", "2"}},
          {{"a", a}, {"b", b}},
          "20000"};
  std::vector<std::vector<float>> in;
  const std::vector<float> want = CpuOutput(g, &in);
  std::vector<float> got(want.size(), NAN);
  for (size_t c = 0; c < e.c_off.size(); ++c)
    if (!GemmModel(e.g, in[0].data() + e.a_off[c], in[1].data() + e.b_off[c],
                   got.data() + e.c_off[c])) {
      std::fprintf(stderr, "%s: cuBLAS would refuse the plan's leading dimensions\n", what.c_str());
      ++failures;
      return;
    }
  Compare(what, want, got);
}

}  // namespace

int Run() {
  FullyConnected(Shape{3, 5}, 4, true);
  FullyConnected(Shape{2, 3, 4}, 6, true);
  FullyConnected(Shape{2, 3, 4}, 6, false);
  FullyConnected(Shape{1, 7}, 1, true);

  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Dot("dot", ta ? Shape{4, 3} : Shape{3, 4}, tb ? Shape{5, 4} : Shape{4, 5}, ta, tb);
      Dot("batch_dot", ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, tb ? Shape{2, 5, 4} : Shape{2, 4, 5},
          ta, tb);
    }
  Dot("dot", Shape{2, 3, 4}, Shape{4, 5}, false, false);
  Dot("dot", Shape{2, 3, 4}, Shape{2, 5}, true, false);
  Dot("dot", Shape{3, 4}, Shape{5, 2, 4}, false, true);
  Dot("dot", Shape{4}, Shape{4}, false, false);
  Dot("batch_dot", Shape{2, 2, 3, 4}, Shape{2, 2, 4, 5}, false, false);

  Matmul(Shape{3, 4}, Shape{4, 5});
  Matmul(Shape{2, 3, 4}, Shape{4, 5});
  Matmul(Shape{2, 3, 4}, Shape{2, 4, 5});
  Matmul(Shape{1, 3, 4}, Shape{2, 4, 5});
  Matmul(Shape{4}, Shape{2, 4, 5});
  Matmul(Shape{2, 3, 4}, Shape{4});
  Matmul(Shape{2, 2, 3, 4}, Shape{2, 2, 4, 1});
  {
    GemmShape g;
    if (MatmulGemm(MatmulShapes(Shape{2, 1, 3, 4}, Shape{1, 5, 4, 2}), &g)) {
      std::fprintf(stderr, "_npi_matmul with partly broadcast batch axes has a strided plan\n");
      ++failures;
    }
  }

  const int64_t heads = 3, hd = 4, len = 5, batch = 2, lq = 4;
  const Shape qkv{len, batch, 3 * heads * hd}, q{lq, batch, heads * hd},
      kv{len, batch, 2 * heads * hd};
  Interleaved("_contrib_interleaved_matmul_selfatt_qk", SelfAttQkGemm(heads, qkv), {qkv}, heads);
  const Shape att_self{batch * heads, len, len}, att_encdec{batch * heads, lq, len};
  Interleaved("_contrib_interleaved_matmul_selfatt_valatt", SelfAttValAttGemm(heads, qkv),
              {qkv, att_self}, heads);
  Interleaved("_contrib_interleaved_matmul_encdec_qk", EncDecQkGemm(heads, q, kv), {q, kv}, heads);
  Interleaved("_contrib_interleaved_matmul_encdec_valatt", EncDecValAttGemm(heads, kv, att_encdec),
              {kv, att_encdec}, heads);

  Einsum("bhqd,bhkd->bhqk", Shape{2, 3, 5, 4}, Shape{2, 3, 6, 4}, 64, true);
  Einsum("bhqk,bhkd->bhqd", Shape{2, 3, 5, 6}, Shape{2, 3, 6, 4}, 64, true);
  Einsum("bqhd,bkhd->bhqk", Shape{2, 5, 3, 4}, Shape{2, 6, 3, 4}, 64, true);
  Einsum("bqhd,bkhd->bhqk", Shape{2, 5, 3, 4}, Shape{2, 6, 3, 4}, 1, false);
  Einsum("ij,jk->ik", Shape{3, 4}, Shape{4, 5}, 64, true);
  Einsum("ji,jk->ik", Shape{4, 3}, Shape{4, 5}, 64, true);
  Einsum("ij,kj->ik", Shape{3, 4}, Shape{5, 4}, 64, true);
  Einsum("ji,kj->ik", Shape{4, 3}, Shape{5, 4}, 64, true);
  Einsum("i,j->ij", Shape{3}, Shape{4}, 64, true);
  Einsum("i,i->", Shape{5}, Shape{5}, 64, true);
  Einsum("bi,bi->bi", Shape{3, 4}, Shape{3, 4}, 64, true);
  Einsum("bij,bjk->bik", Shape{1, 3, 4}, Shape{1, 4, 5}, 64, true);
  Einsum("...ij,...jk->...ik", Shape{2, 3, 4}, Shape{2, 4, 5}, 64, true);
  Einsum("ij,jk->ki", Shape{3, 4}, Shape{4, 5}, 64, false);

  std::printf("gemm plans: %d failed\n", failures);
  return failures == 0 ? 0 : 1;
}

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemm plans: %s\n", e.what());
    return 1;
  }
}
