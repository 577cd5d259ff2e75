// SPDX-License-Identifier: Apache-2.0
// Convolution (MXNet src/operator/nn/convolution-inl.h ConvolutionParam).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// An element-wise step fused into a convolution's output by passes/fuse_conv.cc.
struct ConvPostOp {
  enum class Kind { kEltwise, kSum };
  Kind kind = Kind::kEltwise;  ///< kSum adds the convolution's extra last input
  std::string algorithm;       ///< for kEltwise: relu, logistic, tanh, soft_relu, clip, elu...
  float alpha = 0.f;           ///< algorithm parameter (leaky slope, clip lower bound)
  float beta = 0.f;            ///< algorithm parameter (clip upper bound)
};

/// A 3x3 depthwise convolution fused after a 1x1 one by passes/fuse_depthwise.cc. Its channels
/// are the 1x1 convolution's num_filter; its weight (channels, 1, 3, 3) and bias (channels) are
/// extra inputs of the fused node.
struct DepthwiseStage {
  int64_t kernel = 3;                ///< square kernel size
  int64_t stride = 1;                ///< same in both spatial dims (1 or 2)
  int64_t pad = 1;                   ///< symmetric zero padding, same in both spatial dims
  bool no_bias = false;              ///< no dw_bias input when true
  std::vector<ConvPostOp> post_ops;  ///< element-wise steps after the depthwise stage (no kSum)
  std::vector<float> weight_scale;   ///< per-channel factor applied to its weight when prepacked
  std::string weight_scale_key;      ///< identifies weight_scale in weight-cache keys
};

struct ConvolutionParam {
  std::vector<int64_t> kernel;   ///< spatial kernel size (1 to 3 dims)
  std::vector<int64_t> stride;   ///< defaults to 1 per dim
  std::vector<int64_t> dilate;   ///< defaults to 1 per dim
  std::vector<int64_t> pad;      ///< symmetric zero padding, defaults to 0 per dim
  int64_t num_filter = 0;        ///< output channels
  int64_t num_group = 1;         ///< groups (depthwise when equal to channels)
  bool no_bias = false;          ///< no bias input when true
  std::vector<ConvPostOp> post_ops;  ///< fused element-wise steps; never parsed from attributes
  std::vector<float> weight_scale;   ///< per-output-channel factor applied to the weight when it
                                     ///< is prepacked (a folded BatchNorm); never parsed
  std::string weight_scale_key;      ///< identifies weight_scale in weight-cache keys
  std::optional<DepthwiseStage> depthwise;  ///< a fused depthwise stage run on the output;
                                            ///< never parsed

  bool has_sum() const {
    for (const auto& op : post_ops)
      if (op.kind == ConvPostOp::Kind::kSum) return true;
    return false;
  }
  /// Inputs: data, weight, [bias], [dw_weight, [dw_bias]], [residual].
  int num_inputs() const { return dw_weight_input() + num_dw_inputs() + (has_sum() ? 1 : 0); }
  /// Index of the depthwise stage's weight input (meaningful when `depthwise` is set).
  int dw_weight_input() const { return no_bias ? 2 : 3; }
  int num_dw_inputs() const { return depthwise ? (depthwise->no_bias ? 1 : 2) : 0; }

  static ConvolutionParam Parse(const AttrMap& attrs);
};

/// Shape inference of Convolution (inputs as num_inputs() lists them); used by the fused forms.
void InferConvolutionShape(const ConvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out);

}  // namespace mxserve
