// SPDX-License-Identifier: Apache-2.0
// LRN on oneDNN lrn_across_channels, which like MXNet scales alpha by 1 / local_size.
#include "ops/lrn.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateLRN(const KernelArgs& a) {
  const auto& p = a.param<LRNParam>();
  const std::string what = "LRN node '" + a.node.name + "'";
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    auto pd = dnnl::lrn_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference,
                                                dnnl::algorithm::lrn_across_channels, ToMemDesc(a.in[0]),
                                                ToMemDesc(a.out[0]), p.nsize, p.alpha, p.beta, p.knorm,
                                                DefaultAttr());
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
    return std::make_unique<PrimitiveKernel>(what, dnnl::lrn_forward(pd), pd, std::move(args));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, lrn) { r.Add("LRN", cpu::CreateLRN, Backend::kSameLayout); }

}  // namespace mxserve
