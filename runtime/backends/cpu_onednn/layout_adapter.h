// SPDX-License-Identifier: Apache-2.0
// Kernel wrappers that reorder around an inner kernel: AdaptToLayouts for reference kernels that
// only handle row-major float32 data, StageInput for a primitive that prefers another source
// format. Their reorder primitives are made at bind time and their memory objects per context.
#pragma once

#include <memory>

#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {

/// Lets a row-major float32 kernel run on channels-last or bfloat16 activations: returns `inner`
/// unchanged when every input and output of `a` is row-major and not bfloat16, else a kernel that
/// reorders the other inputs into its scratchpad (bfloat16 becoming float32), runs `inner` there,
/// and reorders the outputs back. `inner` must be built for the row-major float32 descriptions.
std::unique_ptr<Kernel> AdaptToLayouts(std::unique_ptr<Kernel> inner, const KernelArgs& a);

/// Wraps a kernel of `num_inputs` inputs (at most 6) so that input 0, planned as `from`, is
/// first reordered into `to` (another format or dtype) in the scratchpad.
std::unique_ptr<Kernel> StageInput(std::unique_ptr<Kernel> inner, int num_inputs,
                                   const dnnl::memory::desc& from, const dnnl::memory::desc& to);

}  // namespace cpu
}  // namespace mxserve
