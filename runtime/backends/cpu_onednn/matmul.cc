// SPDX-License-Identifier: Apache-2.0
// _npi_matmul on oneDNN's matmul primitive: row-major (batch..., m, k) x (batch..., k, n), the
// batch axes of size 1 broadcast by the primitive itself; a parameter right operand (x @ W) is
// prepacked at bind time.
#include "ops/matmul.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {
namespace {

/// Row-major descriptor of `dims` in float32.
dnnl::memory::desc RowMajorF32(const std::vector<int64_t>& dims) {
  dnnl::memory::dims d(dims.begin(), dims.end());
  dnnl::memory::dims strides(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * d[i + 1];
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

/// A oneDNN matmul of row-major float32 operands. A parameter `b` (bound at bind time) is
/// reordered once into the layout the primitive prefers and shared through the WeightCache.
std::unique_ptr<Kernel> MakeMatmul(const std::string& what, const KernelArgs& a,
                                   const MatmulGeometry& g) {
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    const NDArray* w = a.constants[1];
    const dnnl::memory::desc b_user = RowMajorF32(g.b_dims);
    const dnnl::memory::desc b_md =
        w != nullptr ? dnnl::memory::desc(b_user.get_dims(), dnnl::memory::data_type::f32,
                                          dnnl::memory::format_tag::any)
                     : b_user;
    auto pd = dnnl::matmul::primitive_desc(Engine(), RowMajorF32(g.a_dims), b_md,
                                           RowMajorF32(g.c_dims), DefaultAttr());
    std::vector<PrimitiveArg> args{
        {DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr}};
    if (w != nullptr) {
      auto packed = a.weights->GetOrCreate(WeightKey(*w, pd.weights_desc()), [&] {
        return ReorderToBuffer(w->data->data(), b_user, pd.weights_desc());
      });
      args.push_back(
          {DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 1, packed});
    } else {
      args.push_back(
          {DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kInput, 1, nullptr});
    }
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
    return std::make_unique<PrimitiveKernel>(what, dnnl::matmul(pd), pd, std::move(args));
  });
}

class FillZero final : public Kernel {
 public:
  explicit FillZero(size_t bytes) : bytes_(bytes) {}
  void Run(const RunArgs& args) const override { std::memset(args.out[0], 0, bytes_); }
  std::string Describe() const override { return "ref:zero"; }

 private:
  size_t bytes_;  ///< output size
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> CreateMatmul(const KernelArgs& a) {
  const std::string what = "_npi_matmul node '" + a.node.name + "'";
  for (const auto* t : {&a.in[0], &a.in[1], &a.out[0]}) {
    MXS_CHECK_CODE(t->dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << what << ": dtype " << DTypeName(t->dtype)
        << " is not supported (float32)";
  }
  MatmulGeometry g = MatmulShapes(a.in[0].shape, a.in[1].shape);
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  // A zero-length contraction sums nothing: the result is zeros.
  if (g.a_dims.back() == 0) return std::make_unique<FillZero>(a.out[0].nbytes());
  return MakeMatmul(what, a, g);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, matmul) { r.Add("_npi_matmul", cpu::CreateMatmul); }

}  // namespace mxserve
