// SPDX-License-Identifier: Apache-2.0
// hard_sigmoid on oneDNN eltwise_hardsigmoid (the same clamp of alpha * x + beta).
#include "ops/hard_sigmoid.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateHardSigmoid(const KernelArgs& a) {
  const auto& p = a.param<HardSigmoidParam>();
  const std::string what = NodeDesc(a.node);
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kBfloat16, kUnsupported)
      << "failed to plan " << what << ": data type " << DTypeName(dt) << " is not supported";
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto pd = dnnl::eltwise_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_hardsigmoid,
        ToMemDesc(a.in[0]), ToMemDesc(a.out[0]), p.alpha, p.beta, DefaultAttr());
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, hard_sigmoid) {
  r.Add("hard_sigmoid", cpu::CreateHardSigmoid, Backend::kSameLayout, Backend::kBf16SameType);
}

}  // namespace mxserve
