// SPDX-License-Identifier: Apache-2.0
// Reductions on the oneDNN reduction primitive: the destination has the source's dims with 1 on
// every reduced axis, and the output shape (which may drop those axes) is the same bytes. When
// no axis of size > 1 is reduced the result equals the input and a plain copy runs instead,
// because oneDNN rejects a reduction whose source and destination dims are equal.
#include "ops/reduce.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

class CopyKernel final : public Kernel {
 public:
  explicit CopyKernel(size_t bytes) : bytes_(bytes) {}
  void Run(const RunArgs& args) const override { std::memcpy(args.out[0], args.in[0], bytes_); }
  std::string Describe() const override { return "ref:copy"; }

 private:
  size_t bytes_;   ///< input size
};

dnnl::memory::desc RowMajorDesc(const dnnl::memory::dims& dims, dnnl::memory::data_type dt) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return dnnl::memory::desc(dims, dt, strides);
}

std::unique_ptr<Kernel> MakeReduce(const KernelArgs& a, const ReducePlan& plan, dnnl::algorithm algo) {
  const std::string what = NodeDesc(a.node);
  const TensorDesc& in = a.in[0];
  MXS_CHECK_CODE(in.layout == Layout::kRowMajor && a.out[0].layout == Layout::kRowMajor, kUnsupported)
      << "failed to plan " << what << ": only row-major tensors are supported";
  const DType dt = in.dtype;
  MXS_CHECK_CODE(dt == a.out[0].dtype, kUnsupported)
      << "failed to plan " << what << ": reducing " << DTypeName(dt) << " into " << DTypeName(a.out[0].dtype)
      << " is not supported";
  MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kFloat16 || dt == DType::kBfloat16, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(dt)
      << " is not supported (float32, float16 and bfloat16 are)";
  MXS_CHECK_CODE(in.shape.Size() > 0, kUnsupported) << "failed to plan " << what << ": the input has no elements";
  MXS_CHECK_CODE(in.shape.ndim() <= DNNL_MAX_NDIMS, kUnsupported)
      << "failed to plan " << what << ": " << in.shape.ndim() << " axes are more than oneDNN supports";

  dnnl::memory::dims src_dims, dst_dims;
  for (int i = 0; i < in.shape.ndim(); ++i) {
    src_dims.push_back(in.shape[i]);
    dst_dims.push_back(plan.reduced[i] ? 1 : in.shape[i]);
  }
  if (src_dims == dst_dims) return std::make_unique<CopyKernel>(in.nbytes());
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto src_md = RowMajorDesc(src_dims, ToDnnl(dt));
    auto dst_md = RowMajorDesc(dst_dims, ToDnnl(dt));
    dnnl::reduction::primitive_desc pd(Engine(), algo, src_md, dst_md, 0.f, 0.f, DefaultAttr());
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, src_md, PrimitiveArg::Source::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, dst_md, PrimitiveArg::Source::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::reduction(pd), pd, std::move(args));
  });
}

template <dnnl::algorithm kAlgo>
std::unique_ptr<Kernel> CreateLegacy(const KernelArgs& a) {
  return MakeReduce(a, a.param<ReduceAxesParam>().Plan(a.in[0].shape), kAlgo);
}

template <dnnl::algorithm kAlgo>
std::unique_ptr<Kernel> CreateNumpy(const KernelArgs& a) {
  return MakeReduce(a, a.param<NumpyReduceParam>().Plan(a.in[0].shape), kAlgo);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, reduce) {
  constexpr DTypeSet kFloats{DType::kFloat32, DType::kFloat16, DType::kBfloat16};
  using alg = dnnl::algorithm;
  r.Add("sum", cpu::CreateLegacy<alg::reduction_sum>).DTypes(kFloats);
  r.Add("mean", cpu::CreateLegacy<alg::reduction_mean>).DTypes(kFloats);
  r.Add("max", cpu::CreateLegacy<alg::reduction_max>).DTypes(kFloats);
  r.Add("min", cpu::CreateLegacy<alg::reduction_min>).DTypes(kFloats);
  r.Add("prod", cpu::CreateLegacy<alg::reduction_mul>).DTypes(kFloats);
  r.Add("_np_sum", cpu::CreateNumpy<alg::reduction_sum>).DTypes(kFloats);
  r.Add("_npi_mean", cpu::CreateNumpy<alg::reduction_mean>).DTypes(kFloats);
  r.Add("_np_max", cpu::CreateNumpy<alg::reduction_max>).DTypes(kFloats);
  r.Add("_np_min", cpu::CreateNumpy<alg::reduction_min>).DTypes(kFloats);
  r.Add("_np_prod", cpu::CreateNumpy<alg::reduction_mul>).DTypes(kFloats);
}

}  // namespace mxserve
