// SPDX-License-Identifier: Apache-2.0
#include "backends/cpu_onednn/primitive_kernel.h"

#include <unordered_map>

namespace mxserve {
namespace cpu {

namespace {
struct PrimitiveState final : KernelState {
  std::vector<dnnl::memory> mems;
  std::unordered_map<int, dnnl::memory> map;
  dnnl::memory scratch;
};
}  // namespace

PrimitiveKernel::PrimitiveKernel(const std::string& node_desc, dnnl::primitive prim,
                                 const dnnl::primitive_desc_base& pd,
                                 std::vector<PrimitiveArg> args)
    : node_desc_(node_desc),
      prim_(std::move(prim)),
      args_(std::move(args)),
      scratchpad_md_(pd.scratchpad_desc()),
      impl_(pd.impl_info_str()) {}

std::unique_ptr<KernelState> PrimitiveKernel::CreateState() const {
  auto st = std::make_unique<PrimitiveState>();
  CallOneDnn(node_desc_, [&] {
    for (const auto& a : args_) {
      void* handle = a.source == PrimitiveArg::Source::kConstant
                         ? const_cast<void*>(a.constant->data())
                         : DNNL_MEMORY_NONE;
      st->mems.emplace_back(a.desc, Engine(), handle);
      st->map.emplace(a.dnnl_arg, st->mems.back());
    }
    if (scratchpad_md_.get_size() > 0) {
      st->scratch = dnnl::memory(scratchpad_md_, Engine(), DNNL_MEMORY_NONE);
      st->map.emplace(DNNL_ARG_SCRATCHPAD, st->scratch);
    }
  });
  return st;
}

void PrimitiveKernel::Run(const RunArgs& args) const {
  auto* st = static_cast<PrimitiveState*>(args.state);
  auto& stream = static_cast<CpuStream*>(args.stream)->get();
  CallOneDnn(node_desc_, [&] {
    for (size_t i = 0; i < args_.size(); ++i) {
      const auto& a = args_[i];
      if (a.source == PrimitiveArg::Source::kInput) {
        st->mems[i].set_data_handle(const_cast<void*>(args.in[a.index]));
      } else if (a.source == PrimitiveArg::Source::kOutput) {
        st->mems[i].set_data_handle(args.out[a.index]);
      }
    }
    if (scratchpad_md_.get_size() > 0) st->scratch.set_data_handle(args.scratchpad);
    prim_.execute(stream, st->map);
  });
}

}  // namespace cpu
}  // namespace mxserve
