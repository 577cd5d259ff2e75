// SPDX-License-Identifier: Apache-2.0
// The interleaved attention products as one batched oneDNN matmul each, over (batch * heads)
// strided views of the projections: the views select each head's query, key or value block in
// place, so nothing is copied; the 1/sqrt(head_dim) factor of the qk forms is a linear post-op
// (MXNet scales the product the same way, through the GEMM's alpha). _contrib_div_sqrt_dim is a
// plain loop.
#include "ops/interleaved_matmul.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/matmul.h"

namespace mxserve {
namespace cpu {
namespace {

using dims = dnnl::memory::dims;

dnnl::memory::data_type ComputeType(const KernelArgs& a) {
  return a.compute_dtype == DType::kBfloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

void CheckTypes(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32 || t.dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": only float32 is supported, got " << DTypeName(t.dtype);
}

dnnl::primitive_attr ScaleAttr(int64_t head_dim) {
  dnnl::post_ops ops;
  ops.append_eltwise(dnnl::algorithm::eltwise_linear, 1.0f / std::sqrt(static_cast<float>(head_dim)), 0.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

/// scores[n, i, j] = q_i . k_j / sqrt(head_dim) for n = b * heads + h, where q and k are read
/// with batch stride `bs` (elements between heads), row strides `rq` / `rk`, k starting `koff`
/// elements after q (and on input `kin`).
std::unique_ptr<Kernel> MakeQK(const KernelArgs& a, int64_t nb, int64_t lq, int64_t lk, int64_t hd, int64_t bs_q,
                               int64_t rq, int kin, int64_t bs_k, int64_t rk, int64_t koff) {
  CheckTypes(a);
  MatmulOperand q, k, dst;
  q.index = 0;
  q.view = StridedDesc({nb, lq, hd}, {bs_q, rq, 1}, a.in[0].dtype);
  k.index = kin;
  k.view = StridedDesc({nb, hd, lk}, {bs_k, 1, rk}, a.in[kin].dtype);
  k.offset = static_cast<size_t>(koff) * DTypeSize(a.in[kin].dtype);
  dst.view = StridedDesc({nb, lq, lk}, {lq * lk, lk, 1}, a.out[0].dtype);
  return std::make_unique<MatmulKernel>(NodeDesc(a.node), q, k, nullptr, dst, ComputeType(a), ScaleAttr(hd),
                                        a.weights);
}

/// out[i, b, h * hd + d] = sum_j att[n, i, j] v[j, n, d]; v read from input 0 with batch stride
/// `bs_v`, row stride `rv`, starting `voff` elements in; the output rows are B * E long.
std::unique_ptr<Kernel> MakeValAtt(const KernelArgs& a, int64_t nb, int64_t lq, int64_t lk, int64_t hd,
                                   int64_t bs_v, int64_t rv, int64_t voff, int64_t row_out) {
  CheckTypes(a);
  MatmulOperand att, v, dst;
  att.index = 1;
  att.view = StridedDesc({nb, lq, lk}, {lq * lk, lk, 1}, a.in[1].dtype);
  v.index = 0;
  v.view = StridedDesc({nb, lk, hd}, {bs_v, rv, 1}, a.in[0].dtype);
  v.offset = static_cast<size_t>(voff) * DTypeSize(a.in[0].dtype);
  dst.view = StridedDesc({nb, lq, hd}, {hd, row_out, 1}, a.out[0].dtype);
  return std::make_unique<MatmulKernel>(NodeDesc(a.node), att, v, nullptr, dst, ComputeType(a),
                                        dnnl::primitive_attr(), a.weights);
}

std::unique_ptr<Kernel> CreateSelfQK(const KernelArgs& a) {
  const int64_t heads = a.param<InterleavedMatMulParam>().heads;
  const Shape& s = a.in[0].shape;
  const int64_t l = s[0], b = s[1], hd = s[2] / 3 / heads;
  return MakeQK(a, b * heads, l, l, hd, 3 * hd, b * s[2], 0, 3 * hd, b * s[2], hd);
}

std::unique_ptr<Kernel> CreateSelfValAtt(const KernelArgs& a) {
  const int64_t heads = a.param<InterleavedMatMulParam>().heads;
  const Shape& s = a.in[0].shape;
  const int64_t l = s[0], b = s[1], hd = s[2] / 3 / heads;
  return MakeValAtt(a, b * heads, l, l, hd, 3 * hd, b * s[2], 2 * hd, b * heads * hd);
}

std::unique_ptr<Kernel> CreateEncDecQK(const KernelArgs& a) {
  const int64_t heads = a.param<InterleavedMatMulParam>().heads;
  const Shape &q = a.in[0].shape, &kv = a.in[1].shape;
  const int64_t b = q[1], hd = q[2] / heads;
  return MakeQK(a, b * heads, q[0], kv[0], hd, hd, b * q[2], 1, 2 * hd, b * kv[2], 0);
}

std::unique_ptr<Kernel> CreateEncDecValAtt(const KernelArgs& a) {
  const int64_t heads = a.param<InterleavedMatMulParam>().heads;
  const Shape &kv = a.in[0].shape, &att = a.in[1].shape;
  const int64_t b = kv[1], hd = kv[2] / 2 / heads;
  return MakeValAtt(a, b * heads, att[1], kv[0], hd, 2 * hd, b * kv[2], hd, b * heads * hd);
}

/// out = data / sqrt(data.shape[-1]), the divisor rounded to the data's dtype first as MXNet does.
class DivSqrtDim final : public Kernel {
 public:
  DivSqrtDim(int64_t size, int64_t last) : size_(size), div_(static_cast<float>(std::sqrt(double(last)))) {}
  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
#pragma omp parallel for if (size_ > (1 << 16))
    for (int64_t i = 0; i < size_; ++i) y[i] = x[i] / div_;
  }
  std::string Describe() const override { return "ref:div_sqrt_dim"; }

 private:
  int64_t size_;
  float div_;
};

std::unique_ptr<Kernel> CreateDivSqrtDim(const KernelArgs& a) {
  const Shape& s = a.in[0].shape;
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32 || a.in[0].dtype == DType::kBfloat16, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": only float32 is supported, got " << DTypeName(a.in[0].dtype);
  return AdaptToLayouts(std::make_unique<DivSqrtDim>(s.Size(), s[s.ndim() - 1]), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, interleaved_matmul) {
  const auto conv = Backend::kBf16Converting;
  r.Add("_contrib_interleaved_matmul_selfatt_qk", cpu::CreateSelfQK, Backend::kRowMajorOnly, conv);
  r.Add("_contrib_interleaved_matmul_selfatt_valatt", cpu::CreateSelfValAtt, Backend::kRowMajorOnly, conv);
  r.Add("_contrib_interleaved_matmul_encdec_qk", cpu::CreateEncDecQK, Backend::kRowMajorOnly, conv);
  r.Add("_contrib_interleaved_matmul_encdec_valatt", cpu::CreateEncDecValAtt, Backend::kRowMajorOnly, conv);
  r.Add("_contrib_div_sqrt_dim", cpu::CreateDivSqrtDim, Backend::kRowMajorOnly, Backend::kBf16SameType);
}

}  // namespace mxserve
