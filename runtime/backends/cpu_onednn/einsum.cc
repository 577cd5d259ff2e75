// SPDX-License-Identifier: Apache-2.0
// _npi_einsum. Two float32 operands whose labels split into batch, row (m), contraction (k) and
// column (n) labels, with the output ordered batch..., m, n, are one oneDNN matmul on strided
// views of the operands (no copies): 'bhqd,bhkd->bhqk' and 'bhqk,bhkd->bhqd' in attention.
// Everything else (one or three operands, diagonals, labels summed within one operand, other
// output orders) runs a strided loop that sums the product of the operands over every label
// missing from the output, accumulating in double.
#include "ops/einsum.h"

#include <utility>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

class EinsumLoop final : public Kernel {
 public:
  explicit EinsumLoop(EinsumLoopPlan plan) : p_(std::move(plan)) {}

  void Run(const RunArgs& args) const override {
    const int no = static_cast<int>(p_.out_dims.size()), ns = static_cast<int>(p_.sum_dims.size());
    float* out = static_cast<float*>(args.out[0]);
    const auto load = [&args](int i, int64_t off) {
      return static_cast<const float*>(args.in[i])[off];
    };
#pragma omp parallel for if (p_.out_size * p_.sum_size > (1 << 14))
    for (int64_t o = 0; o < p_.out_size; ++o)
      out[o] = static_cast<float>(EinsumElement<kMaxOperands>(
          o, p_.num_in, no, p_.out_dims.data(), p_.out_strides.data(), ns, p_.sum_dims.data(),
          p_.sum_strides.data(), p_.sum_size, load));
  }

  std::string Describe() const override { return "ref:einsum"; }

  static constexpr int kMaxOperands = 16;  ///< operands the loop handles

 private:
  EinsumLoopPlan p_;
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

/// The matmul form of a two-operand einsum as one oneDNN matmul, or null when it has none.
std::unique_ptr<Kernel> TryBatchedGemm(const std::string& what, const std::vector<Shape>& shapes,
                                       const EinsumSpec& spec) {
  EinsumMatmulPlan p;
  if (!MakeEinsumMatmulPlan(shapes, spec, &p) || p.batch_dims.size() + 2 > DNNL_MAX_NDIMS)
    return nullptr;
  dnnl::memory::dims ad = p.batch_dims, as = p.a_batch, bd = p.batch_dims, bs = p.b_batch,
                     cd = p.batch_dims, cs;
  ad.insert(ad.end(), {p.m, p.k});
  as.insert(as.end(), {p.a_m, p.a_k});
  bd.insert(bd.end(), {p.k, p.n});
  bs.insert(bs.end(), {p.b_k, p.b_n});
  cd.insert(cd.end(), {p.m, p.n});
  cs.assign(cd.size(), 1);
  for (int i = static_cast<int>(cd.size()) - 2; i >= 0; --i) cs[i] = cs[i + 1] * cd[i + 1];
  using dt = dnnl::memory::data_type;
  try {
    auto pd = dnnl::matmul::primitive_desc(Engine(), dnnl::memory::desc(ad, dt::f32, as),
                                           dnnl::memory::desc(bd, dt::f32, bs),
                                           dnnl::memory::desc(cd, dt::f32, cs), DefaultAttr());
    std::vector<PrimitiveArg> args{
        {DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
        {DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kInput, 1, nullptr},
        {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::matmul(pd), pd, std::move(args));
  } catch (const dnnl::error&) {
    return nullptr;  // no oneDNN implementation for these strides: the loop computes it
  }
}

std::unique_ptr<Kernel> CreateEinsum(const KernelArgs& a) {
  const auto& p = a.param<EinsumParam>();
  const std::string what = "_npi_einsum node '" + a.node.name + "'";
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << what << ": dtype " << DTypeName(t.dtype)
        << " is not supported (float32)";
  MXS_CHECK_CODE(static_cast<int>(a.in.size()) <= EinsumLoop::kMaxOperands, kUnsupported)
      << "failed to plan " << what << ": more than " << EinsumLoop::kMaxOperands << " operands";
  std::vector<Shape> shapes;
  for (const auto& t : a.in) shapes.push_back(t.shape);
  EinsumSpec spec = MakeEinsumSpec(p, shapes);
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  bool empty_input = false;
  for (const auto& t : a.in) empty_input = empty_input || t.shape.Size() == 0;
  if (!empty_input)
    if (auto k = TryBatchedGemm(what, shapes, spec)) return k;
  return std::make_unique<EinsumLoop>(MakeEinsumLoopPlan(shapes, spec));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, einsum) { r.Add("_npi_einsum", cpu::CreateEinsum); }

}  // namespace mxserve
