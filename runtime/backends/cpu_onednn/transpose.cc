// SPDX-License-Identifier: Apache-2.0
// transpose, _np_transpose and SwapAxis as one oneDNN reorder: the source descriptor has the
// output's dims and, for each output axis, the stride of the input axis it comes from; the
// destination is plain. The copy only moves bytes, so elements are reordered as 4-byte or 1-byte
// integers (8-byte types as two 4-byte words, 2-byte types as two bytes, on an extra innermost
// axis), which keeps every bit and works for dtypes oneDNN has no type for (int64, float64).
#include "ops/transpose.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

/// Runs nothing: an output with no elements.
class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> CreatePermute(const KernelArgs& a, const std::vector<int>& perm) {
  const std::string what = NodeDesc(a.node);
  const TensorDesc& in = a.in[0];
  MXS_CHECK_CODE(in.layout == Layout::kRowMajor && a.out[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": only row-major tensors are supported";
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  const int ndim = in.shape.ndim();
  const size_t elem = DTypeSize(in.dtype);
  const int64_t unit = elem % 4 == 0 ? 4 : 1;
  const int64_t words = static_cast<int64_t>(elem) / unit;
  MXS_CHECK_CODE(ndim + (words > 1 ? 1 : 0) <= DNNL_MAX_NDIMS, kUnsupported)
      << "failed to plan " << what << ": " << ndim << " axes are more than oneDNN supports";

  std::vector<int64_t> in_strides(ndim, words);
  for (int i = ndim - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * in.shape[i + 1];
  dnnl::memory::dims dims, src_strides, dst_strides;
  for (int i = 0; i < ndim; ++i) {
    dims.push_back(in.shape[perm[i]]);
    src_strides.push_back(in_strides[perm[i]]);
  }
  if (words > 1 || ndim == 0) {
    dims.push_back(words);
    src_strides.push_back(1);
  }
  dst_strides.assign(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) dst_strides[i] = dst_strides[i + 1] * dims[i + 1];
  const auto dt = unit == 4 ? dnnl::memory::data_type::s32 : dnnl::memory::data_type::u8;

  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    dnnl::memory::desc src_md(dims, dt, src_strides);
    dnnl::memory::desc dst_md(dims, dt, dst_strides);
    dnnl::reorder::primitive_desc pd(Engine(), src_md, Engine(), dst_md, DefaultAttr());
    std::vector<PrimitiveArg> args{{DNNL_ARG_FROM, src_md, PrimitiveArg::Source::kInput, 0, nullptr},
                                   {DNNL_ARG_TO, dst_md, PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::reorder(pd), pd, std::move(args));
  });
}

std::unique_ptr<Kernel> CreateTranspose(const KernelArgs& a) {
  return CreatePermute(a, a.param<TransposeParam>().Permutation(a.in[0].shape.ndim()));
}

std::unique_ptr<Kernel> CreateNumpyTranspose(const KernelArgs& a) {
  return CreatePermute(a, a.param<NumpyTransposeParam>().Permutation(a.in[0].shape.ndim()));
}

std::unique_ptr<Kernel> CreateSwapAxis(const KernelArgs& a) {
  return CreatePermute(a, a.param<SwapAxisParam>().Permutation(a.in[0].shape.ndim()));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, transpose) {
  r.Add("transpose", cpu::CreateTranspose).DTypes(dtypes::kAny);
  r.Add("_np_transpose", cpu::CreateNumpyTranspose).DTypes(dtypes::kAny);
  r.Add("SwapAxis", cpu::CreateSwapAxis).DTypes(dtypes::kAny);
}

}  // namespace mxserve
