// SPDX-License-Identifier: Apache-2.0
// Fuse a 3x3 depthwise Convolution into the 1x1 Convolution that feeds it.
//
// MobileNet-style blocks run a pointwise (1x1) convolution, then a 3x3 depthwise one on its
// output. oneDNN can run both as one primitive (a depthwise post-op): the 1x1 output is
// consumed a few rows at a time while still in cache instead of being written out and read
// back. The pass matches, after FoldBatchNorm and FuseConvolution (so both convolutions already
// carry their folded BatchNorm and their activations), two float32 convolutions (Convolution or
// _sg_mkldnn_conv without a BatchNorm input):
//   A: 2-D convolution, kernel 1x1, stride 1, pad 0, dilate 1, one group, no residual sum,
//      its output read by B only and not requested;
//   B: 2-D depthwise convolution (num_group == num_filter == input channels), kernel 3x3,
//      stride 1 or 2, pad 1, dilate 1, no residual sum, a parameter as weight.
// B becomes the fused _sg_mkldnn_conv node (it keeps its name, so its output stays addressable and every
// consumer keeps reading it): A's param with B's stage attached, inputs A's inputs followed by
// B's weight and bias. A dies. Rewriting B rather than A keeps the graph topologically ordered:
// B's weight variable usually comes after A. MXSERVE_FUSE_DEPTHWISE=0 turns the pass off.
#include <cstdlib>
#include <optional>

#include "graph/op_def.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

bool AllEqual(const std::vector<int64_t>& v, int64_t want) {
  for (int64_t x : v)
    if (x != want) return false;
  return true;
}

// A 2-D float32 convolution whose only inputs are data, weight and [bias].
std::optional<FusedConvolutionParam> Stage(const Node& n) {
  std::optional<FusedConvolutionParam> p = FusibleConvolution(n);
  if (!p || p->with_bn || p->depthwise || p->has_sum() || p->conv.kernel.size() != 2) return std::nullopt;
  return p;
}

bool IsPointwise(const ConvolutionParam& p) {
  return AllEqual(p.kernel, 1) && AllEqual(p.stride, 1) && AllEqual(p.pad, 0) && AllEqual(p.dilate, 1) &&
         p.num_group == 1;
}

// The stage oneDNN's depthwise post-op can run: 3x3, stride 1 or 2, pad 1.
bool IsFusableDepthwise(const ConvolutionParam& p, int64_t channels) {
  return AllEqual(p.kernel, 3) && p.stride[0] == p.stride[1] && (p.stride[0] == 1 || p.stride[0] == 2) &&
         AllEqual(p.pad, 1) && AllEqual(p.dilate, 1) && p.num_group == p.num_filter && p.num_filter == channels;
}

}  // namespace

void FuseDepthwise(PassContext& ctx) {
  const char* env = std::getenv("MXSERVE_FUSE_DEPTHWISE");
  if (env != nullptr && env[0] == '0') return;
  Graph& g = ctx.graph;
  for (uint32_t b = 0; b < g.nodes.size(); ++b) {
    Node& dw = g.nodes[b];
    const std::optional<FusedConvolutionParam> bp = Stage(dw);
    if (!bp) continue;
    const NodeEntry mid = dw.inputs[0];
    const Node& pw = g.nodes[mid.node];
    std::optional<FusedConvolutionParam> fused = Stage(pw);
    if (!fused) continue;
    const Shape& mid_shape = ctx.ShapeOf(mid);
    if (mid_shape.ndim() != 4 || !IsPointwise(fused->conv) || !IsFusableDepthwise(bp->conv, mid_shape[1]))
      continue;
    if (ctx.keep.count(mid) || ctx.NumConsumers(mid) != 1) continue;
    // The depthwise weight is prepacked at bind time, so it must be a float32 parameter.
    const NDArray* w = ctx.Constant(dw.inputs[1].node);
    if (w == nullptr || w->dtype != DType::kFloat32 || ctx.DTypeOf(mid) != DType::kFloat32) continue;

    DepthwiseStage stage;
    stage.kernel = bp->conv.kernel[0];
    stage.stride = bp->conv.stride[0];
    stage.pad = bp->conv.pad[0];
    stage.no_bias = bp->conv.no_bias;
    stage.post_ops = bp->post_ops;
    stage.weight_scale = bp->weight_scale;
    stage.weight_scale_key = bp->weight_scale_key;
    fused->depthwise = std::move(stage);
    std::vector<NodeEntry> inputs = pw.inputs;
    inputs.push_back(dw.inputs[1]);
    if (!bp->conv.no_bias) inputs.push_back(dw.inputs[2]);
    BecomeFused(dw, std::move(*fused), std::move(inputs));
  }
}

}  // namespace mxserve
