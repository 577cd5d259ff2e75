// SPDX-License-Identifier: Apache-2.0
// Convolution (MXNet src/operator/nn/convolution-inl.h ConvolutionParam).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

  bool has_sum() const {
    for (const auto& op : post_ops)
      if (op.kind == ConvPostOp::Kind::kSum) return true;
    return false;
  }
  int num_inputs() const { return (no_bias ? 2 : 3) + (has_sum() ? 1 : 0); }

  static ConvolutionParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
