// SPDX-License-Identifier: Apache-2.0
// dot and batch_dot on one oneDNN matmul: transposes are strides of the operand views, so no
// input is copied; a parameter second input is prepacked at bind time. Computes in bfloat16 in
// bfloat16 mode. Empty products write zeros (k == 0) or nothing (empty output). An activation
// fused by passes/fuse_fully_connected.cc runs as a matmul post-op.
#include "ops/dot.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/matmul.h"

namespace mxserve {
namespace cpu {
namespace {

class FillZero final : public Kernel {
 public:
  explicit FillZero(size_t bytes) : bytes_(bytes) {}
  void Run(const RunArgs& args) const override {
    if (bytes_ > 0) std::memset(args.out[0], 0, bytes_);
  }
  std::string Describe() const override { return "fill_zero"; }

 private:
  size_t bytes_;
};

std::unique_ptr<Kernel> CreateMatmul(const KernelArgs& a, const DotParam& p, const DotDims& d) {
  const std::string what = NodeDesc(a.node);
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32 || t.dtype == DType::kBfloat16, kUnsupported)
        << "failed to plan " << what << ": only float32 inputs are supported, got " << DTypeName(t.dtype);
  if (d.batch * d.m * d.n == 0 || d.k == 0) return std::make_unique<FillZero>(a.out[0].nbytes());
  const int64_t b = d.batch, m = d.m, k = d.k, n = d.n;
  MatmulOperand src, w, dst;
  src.index = 0;
  src.view = StridedDesc({b, m, k}, p.transpose_a ? dnnl::memory::dims{m * k, 1, m} : dnnl::memory::dims{m * k, k, 1},
                         a.in[0].dtype);
  w.index = 1;
  w.view = StridedDesc({b, k, n}, p.transpose_b ? dnnl::memory::dims{k * n, 1, k} : dnnl::memory::dims{k * n, n, 1},
                       a.in[1].dtype);
  w.constant = a.constants[1];
  dst.index = 0;
  dst.view = StridedDesc({b, m, n}, {m * n, n, 1}, a.out[0].dtype);
  const auto compute =
      a.compute_dtype == DType::kBfloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
  dnnl::primitive_attr attr;
  if (!p.post_ops.empty()) {
    dnnl::post_ops post;
    for (const auto& op : p.post_ops) post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
    attr.set_post_ops(post);
  }
  return std::make_unique<MatmulKernel>(what, src, w, nullptr, dst, compute, attr, a.weights);
}

std::unique_ptr<Kernel> CreateDot(const KernelArgs& a) {
  const auto& p = a.param<DotParam>();
  return CreateMatmul(a, p, DotShapeOf(p, a.in[0].shape, a.in[1].shape));
}

std::unique_ptr<Kernel> CreateBatchDot(const KernelArgs& a) {
  const auto& p = a.param<DotParam>();
  return CreateMatmul(a, p, BatchDotShapeOf(p, a.in[0].shape, a.in[1].shape));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, dot) {
  r.Add("dot", cpu::CreateDot, Backend::kRowMajorOnly, Backend::kBf16Converting);
  r.Add("batch_dot", cpu::CreateBatchDot, Backend::kRowMajorOnly, Backend::kBf16Converting);
}

}  // namespace mxserve
