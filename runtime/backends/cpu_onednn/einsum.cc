// SPDX-License-Identifier: Apache-2.0
// _npi_einsum. Two float32 operands whose labels split into batch, row (m), contraction (k) and
// column (n) labels, with the output ordered batch..., m, n, are one oneDNN matmul on strided
// views of the operands (no copies): 'bhqd,bhkd->bhqk' and 'bhqk,bhkd->bhqd' in attention.
// Everything else (one or three operands, diagonals, labels summed within one operand, other
// output orders) runs a strided loop that sums the product of the operands over every label
// missing from the output, accumulating in double.
#include "ops/einsum.h"

#include <algorithm>
#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

/// Element strides of each label in operand `shape` labelled `labels`; 0 for labels it lacks and
/// for its size-1 axes broadcast against a larger label size. A repeated label adds its strides.
std::vector<int64_t> LabelStrides(const Shape& shape, const std::vector<int>& labels,
                                  const std::vector<int64_t>& label_size) {
  std::vector<int64_t> st(label_size.size(), 0);
  int64_t acc = 1;
  for (int ax = shape.ndim() - 1; ax >= 0; --ax) {
    if (!(shape[ax] == 1 && label_size[labels[ax]] != 1)) st[labels[ax]] += acc;
    acc *= shape[ax];
  }
  return st;
}

class EinsumLoop final : public Kernel {
 public:
  EinsumLoop(const std::vector<TensorDesc>& in, const EinsumSpec& spec)
      : num_in_(static_cast<int>(in.size())) {
    std::vector<bool> in_out(spec.label_size.size(), false), used(spec.label_size.size(), false);
    for (int l : spec.out_labels) in_out[l] = true;
    for (const auto& ls : spec.labels)
      for (int l : ls) used[l] = true;
    for (int l : spec.out_labels) out_dims_.push_back(spec.label_size[l]);
    std::vector<int> sum_labels;
    for (size_t l = 0; l < used.size(); ++l)
      if (used[l] && !in_out[l]) {
        sum_labels.push_back(static_cast<int>(l));
        sum_dims_.push_back(spec.label_size[l]);
      }
    for (int i = 0; i < num_in_; ++i) {
      std::vector<int64_t> st = LabelStrides(in[i].shape, spec.labels[i], spec.label_size);
      for (int l : spec.out_labels) out_strides_.push_back(st[l]);
      for (int l : sum_labels) sum_strides_.push_back(st[l]);
    }
    out_size_ = 1;
    for (int64_t d : out_dims_) out_size_ *= d;
    sum_size_ = 1;
    for (int64_t d : sum_dims_) sum_size_ *= d;
  }

  void Run(const RunArgs& args) const override {
    const int no = static_cast<int>(out_dims_.size()), ns = static_cast<int>(sum_dims_.size());
    float* out = static_cast<float*>(args.out[0]);
#pragma omp parallel for if (out_size_ * sum_size_ > (1 << 14))
    for (int64_t o = 0; o < out_size_; ++o) {
      int64_t base[kMaxOperands] = {};
      int64_t rest = o;
      for (int d = no - 1; d >= 0; --d) {
        const int64_t c = rest % out_dims_[d];
        rest /= out_dims_[d];
        for (int i = 0; i < num_in_; ++i) base[i] += c * out_strides_[i * no + d];
      }
      double acc = 0;
      for (int64_t s = 0; s < sum_size_; ++s) {
        int64_t r = s;
        double prod = 1;
        for (int i = 0; i < num_in_; ++i) {
          int64_t off = base[i];
          r = s;
          for (int d = ns - 1; d >= 0; --d) {
            off += (r % sum_dims_[d]) * sum_strides_[i * ns + d];
            r /= sum_dims_[d];
          }
          prod *= static_cast<const float*>(args.in[i])[off];
        }
        acc += prod;
      }
      out[o] = static_cast<float>(acc);
    }
  }

  std::string Describe() const override { return "ref:einsum"; }

  static constexpr int kMaxOperands = 16;  ///< operands the loop handles

 private:
  int num_in_;
  std::vector<int64_t> out_dims_, sum_dims_;        ///< output and summed label sizes
  std::vector<int64_t> out_strides_, sum_strides_;  ///< per operand, per output / summed label
  int64_t out_size_ = 0, sum_size_ = 0;             ///< elements of the output and summed spaces
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

/// The matmul form of a two-operand einsum, or null when it has none (see the file comment).
std::unique_ptr<Kernel> TryBatchedGemm(const std::string& what, const KernelArgs& a,
                                       const EinsumSpec& spec) {
  if (spec.labels.size() != 2) return nullptr;
  const size_t nl = spec.label_size.size();
  std::vector<int> in_a(nl, 0), in_b(nl, 0), in_o(nl, 0);
  for (int l : spec.labels[0]) ++in_a[l];
  for (int l : spec.labels[1]) ++in_b[l];
  for (int l : spec.out_labels) ++in_o[l];
  std::vector<int> batch, m, n, k;
  for (size_t l = 0; l < nl; ++l) {
    if (in_a[l] > 1 || in_b[l] > 1) return nullptr;  // a diagonal
    if (!in_a[l] && !in_b[l]) continue;
    if (in_a[l] && in_b[l])
      (in_o[l] ? batch : k).push_back(static_cast<int>(l));
    else if (!in_o[l])
      return nullptr;  // summed within one operand
    else
      (in_a[l] ? m : n).push_back(static_cast<int>(l));
  }
  if (m.size() > 1 || n.size() > 1 || k.size() > 1 || batch.size() + 2 > DNNL_MAX_NDIMS)
    return nullptr;
  // The output must read batch labels first, then m, then n.
  const size_t nb = batch.size();
  std::vector<int> order(spec.out_labels.begin(),
                         spec.out_labels.begin() + std::min(nb, spec.out_labels.size()));
  for (int l : order)
    if (!in_a[l] || !in_b[l]) return nullptr;
  std::vector<int> tail(spec.out_labels.begin() + nb, spec.out_labels.end());
  std::vector<int> want;
  if (!m.empty()) want.push_back(m[0]);
  if (!n.empty()) want.push_back(n[0]);
  if (tail != want) return nullptr;
  std::vector<int64_t> sa = LabelStrides(a.in[0].shape, spec.labels[0], spec.label_size);
  std::vector<int64_t> sb = LabelStrides(a.in[1].shape, spec.labels[1], spec.label_size);
  // A broadcast (stride 0) axis is left to the loop.
  for (int l : order)
    if ((sa[l] == 0 || sb[l] == 0) && spec.label_size[l] != 1) return nullptr;
  auto size_of = [&](const std::vector<int>& v) {
    return v.empty() ? int64_t{1} : spec.label_size[v[0]];
  };
  auto stride_of = [&](const std::vector<int>& v, const std::vector<int64_t>& st) {
    return v.empty() ? int64_t{1} : std::max<int64_t>(st[v[0]], 1);
  };
  const int64_t M = size_of(m), N = size_of(n), K = size_of(k);
  dnnl::memory::dims ad, as, bd, bs, cd, cs;
  for (int l : order) {
    ad.push_back(spec.label_size[l]);
    as.push_back(std::max<int64_t>(sa[l], 1));
    bd.push_back(spec.label_size[l]);
    bs.push_back(std::max<int64_t>(sb[l], 1));
    cd.push_back(spec.label_size[l]);
  }
  ad.insert(ad.end(), {M, K});
  as.insert(as.end(), {stride_of(m, sa), stride_of(k, sa)});
  bd.insert(bd.end(), {K, N});
  bs.insert(bs.end(), {stride_of(k, sb), stride_of(n, sb)});
  cd.insert(cd.end(), {M, N});
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
    if (auto k = TryBatchedGemm(what, a, spec)) return k;
  return std::make_unique<EinsumLoop>(a.in, spec);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, einsum) { r.Add("_npi_einsum", cpu::CreateEinsum); }

}  // namespace mxserve
