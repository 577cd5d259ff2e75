// SPDX-License-Identifier: Apache-2.0
// PrimitiveKernel: the base of every kernel that runs a single oneDNN primitive. Its memory
// objects live in per-context state, so Run() only rebinds data handles.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {

/// Where a primitive argument's data comes from at run time.
struct PrimitiveArg {
  enum class Source { kInput, kOutput, kConstant };
  int dnnl_arg;                            ///< DNNL_ARG_SRC, DNNL_ARG_WEIGHTS...
  dnnl::memory::desc desc;                 ///< the primitive's descriptor of the argument
  Source source;                           ///< where the pointer comes from
  int index = 0;                           ///< input or output index for kInput / kOutput
  std::shared_ptr<const Buffer> constant;  ///< the data for kConstant (prepacked weights)
};

/// A kernel that executes one oneDNN primitive. The primitive uses a user-provided scratchpad,
/// so one primitive can run concurrently in several execution contexts.
class PrimitiveKernel : public Kernel {
 public:
  PrimitiveKernel(const std::string& node_desc, dnnl::primitive prim,
                  const dnnl::primitive_desc_base& pd, std::vector<PrimitiveArg> args);
  void Run(const RunArgs& args) const override;
  size_t ScratchpadBytes() const override { return scratchpad_md_.get_size(); }
  std::unique_ptr<KernelState> CreateState() const override;
  std::string Describe() const override { return impl_; }

 private:
  std::string node_desc_;
  dnnl::primitive prim_;
  std::vector<PrimitiveArg> args_;
  dnnl::memory::desc scratchpad_md_;
  std::string impl_;
};

}  // namespace cpu
}  // namespace mxserve
