// SPDX-License-Identifier: Apache-2.0
// What the float32 and the quantized convolution kernels share: the one kernel for Convolution
// and float32 _sg_mkldnn_conv nodes, the residual copy in front of a fused sum, the grouped
// weight descriptor and MXNet's folding of a subgraph BatchNorm.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/cpu_onednn/engine.h"
#include "backends/kernel.h"
#include "ops/fused_convolution.h"

namespace mxserve {
namespace cpu {

/// The kernel of a float32 (bfloat16 in bfloat16 mode) convolution with everything `p` fuses:
/// a subgraph BatchNorm, a folded weight scale, post-ops and a depthwise stage. A Convolution
/// node runs it with FusedConvolutionParam::Of its param.
std::unique_ptr<Kernel> CreateFloatConvolution(const KernelArgs& a, const FusedConvolutionParam& p,
                                               const std::string& what);

/// A convolution with a fused residual sum accumulates into its output buffer, so the output
/// must hold the residual first. The planner usually gives both the same storage; when it cannot
/// (the residual is still read later), this kernel copies the residual in (reordering it from
/// `residual_md` into `dst_md` when they differ) before running the convolution.
class ResidualKernel final : public Kernel {
 public:
  ResidualKernel(std::unique_ptr<Kernel> conv, const dnnl::memory::desc& residual_md,
                 const dnnl::memory::desc& dst_md, int residual);
  size_t ScratchpadBytes() const override { return conv_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override;
  std::string Describe() const override { return conv_->Describe() + "+sum"; }
  void Run(const RunArgs& args) const override;

 private:
  /// Per-context state: the convolution's own, and the residual copy's memory objects.
  struct State final : KernelState {
    std::unique_ptr<KernelState> conv;  ///< the wrapped convolution's state
    dnnl::memory src, dst;              ///< residual copy source and destination
  };
  std::unique_ptr<Kernel> conv_;
  dnnl::memory::desc residual_md_, dst_md_;
  int residual_;
  dnnl::reorder copy_;
};

/// The weight dims and user descriptor of convolution `c` with weight shape `shape` holding
/// `dt`: (F, C/G, *kernel), or (G, F/G, C/G, *kernel) with groups.
struct ConvWeightDims {
  dnnl::memory::dims dims;
  dnnl::memory::desc user;
};
ConvWeightDims ConvWeight(const ConvolutionParam& c, const Shape& shape, dnnl::memory::data_type dt);

/// MXNet's UpdateConvWeightBias: the per-channel weight factor and the new bias of a
/// subgraph BatchNorm (`p.with_bn`), from the node's parameter inputs.
struct FoldedBatchNorm {
  std::vector<float> scale;  ///< gamma / sqrt(var + eps) per output channel
  std::vector<float> bias;   ///< beta + scale * (bias - mean)
};
FoldedBatchNorm FoldSubgraphBatchNorm(const FusedConvolutionParam& p, const KernelArgs& a);

}  // namespace cpu
}  // namespace mxserve
