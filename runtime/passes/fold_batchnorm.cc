// SPDX-License-Identifier: Apache-2.0
// Fold BatchNorm into Convolution.
//
// At inference BatchNorm is y = (x - mean) * s + beta with s = gamma / sqrt(var + eps) (gamma = 1
// under fix_gamma), one scale and shift per output channel. When x is the output of a
// convolution (a Convolution, or a float32 _sg_mkldnn_conv with nothing fused after it yet) read
// by nothing else, the scale goes into the convolution's weights and the shift into its bias:
//   W'[o] = W[o] * s[o],  b'[o] = (b[o] - mean[o]) * s[o] + beta[o].
// The BatchNorm node becomes the fused convolution (_sg_mkldnn_conv; it keeps its name, so its
// output stays addressable) and the old convolution node dies. W' is never stored: the scale
// travels in the fused param (weight_scale) and is applied when the weight is prepacked; b' is
// bound to the gamma variable through an override.
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "graph/op_def.h"
#include "ops/batch_norm.h"
#include "passes/pass.h"

namespace mxserve {

namespace {

bool IsF32(const NDArray* a) { return a != nullptr && a->dtype == DType::kFloat32; }

}  // namespace

void FoldBatchNorm(PassContext& ctx) {
  Graph& g = ctx.graph;
  for (uint32_t b = 0; b < g.nodes.size(); ++b) {
    Node& bn = g.nodes[b];
    if (bn.is_variable()) continue;
    if (bn.def->name() != "BatchNorm" && bn.def->name() != "_contrib_SyncBatchNorm") continue;
    const auto& bp = *static_cast<const BatchNormParam*>(bn.param.get());
    NodeEntry src = bn.inputs[0];
    const Node& conv = g.nodes[src.node];
    std::optional<FusedConvolutionParam> folded = FusibleConvolution(conv);
    // The scale is applied to the weight before everything the fused node computes after it.
    if (!folded || folded->with_bn || !folded->post_ops.empty() || folded->depthwise) continue;
    if (bp.output_mean_var || bp.axis != 1 || ctx.keep.count(src) || ctx.NumConsumers(src) != 1) continue;
    const ConvolutionParam& cp = folded->conv;
    uint32_t w_var = conv.inputs[1].node;
    uint32_t gamma_var = bn.inputs[1].node;
    const NDArray* w = ctx.Constant(w_var);
    const NDArray* bias = cp.no_bias ? nullptr : ctx.Constant(conv.inputs[2].node);
    const NDArray* gamma = ctx.Constant(gamma_var);
    const NDArray* beta = ctx.Constant(bn.inputs[2].node);
    const NDArray* mean = ctx.Constant(bn.inputs[3].node);
    const NDArray* var = ctx.Constant(bn.inputs[4].node);
    if (!IsF32(w) || (!cp.no_bias && !IsF32(bias)) || !IsF32(gamma) || !IsF32(beta) || !IsF32(mean) || !IsF32(var))
      continue;
    const int64_t channels = cp.num_filter;
    if (w->shape.ndim() < 1 || w->shape[0] != channels || gamma->shape.Size() != channels ||
        beta->shape.Size() != channels || mean->shape.Size() != channels || var->shape.Size() != channels)
      continue;
    if (ctx.NumConsumers(NodeEntry{gamma_var, 0}) != 1) continue;

    std::vector<float> scale(channels);
    const float* gm = gamma->data->as<float>();
    const float* vr = var->data->as<float>();
    for (int64_t o = 0; o < channels; ++o)
      scale[o] = (bp.fix_gamma ? 1.0f : gm[o]) / std::sqrt(vr[o] + static_cast<float>(bp.eps));
    const std::string key = "bnfold:" + bn.name + ":" + std::to_string(reinterpret_cast<uintptr_t>(w->data.get()));
    auto new_b = ctx.cache.GetOrCreate(key + ":b", [&] {
      Buffer out(channels * sizeof(float));
      const float* bt = beta->data->as<float>();
      const float* mn = mean->data->as<float>();
      const float* cb = bias ? bias->data->as<float>() : nullptr;
      for (int64_t o = 0; o < channels; ++o) out.as<float>()[o] = ((cb ? cb[o] : 0.f) - mn[o]) * scale[o] + bt[o];
      return out;
    });
    ctx.overrides[gamma_var] = NDArray{Shape{channels}, DType::kFloat32, new_b};

    folded->conv.no_bias = false;
    if (folded->weight_scale.empty()) {
      folded->weight_scale = scale;
    } else {  // a second BatchNorm after the same convolution
      for (int64_t o = 0; o < channels; ++o) folded->weight_scale[o] *= scale[o];
    }
    folded->weight_scale_key += ":bn:" + bn.name;
    std::vector<NodeEntry> inputs{conv.inputs[0], NodeEntry{w_var, 0}, NodeEntry{gamma_var, 0}};
    BecomeFused(bn, std::move(*folded), std::move(inputs));
  }
}

}  // namespace mxserve
