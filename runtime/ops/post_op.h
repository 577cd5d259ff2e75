// SPDX-License-Identifier: Apache-2.0
// Element-wise steps fused into a convolution's or a product's output (oneDNN post-ops), and the
// one translation of MXNet activation nodes into them, shared by the fusion passes and by the
// MXNet subgraph nodes (_sg_mkldnn_conv, _sg_mkldnn_fully_connected).
#pragma once

#include <optional>
#include <string>

#include "graph/graph.h"
#include "ops/activation.h"
#include "ops/clip.h"
#include "ops/leaky_relu.h"

namespace mxserve {

/// One fused element-wise step.
struct ConvPostOp {
  enum class Kind { kEltwise, kSum };
  Kind kind = Kind::kEltwise;  ///< kSum adds the fused node's residual input
  std::string algorithm;       ///< for kEltwise: relu, logistic, tanh, soft_relu, clip, elu...
  float alpha = 0.f;           ///< algorithm parameter (leaky slope, clip lower bound)
  float beta = 0.f;            ///< algorithm parameter (clip upper bound)
};

/// The post-op equivalent of activation node `op` (a canonical operator name: Activation,
/// LeakyReLU or clip) with attributes `attrs`, or nullopt when there is none. Algorithm names
/// are those of dnnl::algorithm::eltwise_*.
inline std::optional<ConvPostOp> EltwisePostOp(const std::string& op, const AttrMap& attrs) {
  ConvPostOp post;
  if (op == "Activation") {
    const std::string act = ActivationParam::Parse(attrs).act_type;
    if (act == "relu") post.algorithm = "relu";
    else if (act == "sigmoid") post.algorithm = "logistic";
    else if (act == "tanh") post.algorithm = "tanh";
    else if (act == "mish") post.algorithm = "mish";
    else if (act == "softrelu") post.algorithm = "soft_relu", post.alpha = 1.f;
    else return std::nullopt;
    return post;
  }
  if (op == "LeakyReLU") {
    const LeakyReLUParam p = LeakyReLUParam::Parse(attrs);
    if (p.act_type == "leaky") post.algorithm = "relu", post.alpha = p.slope;
    else if (p.act_type == "elu") post.algorithm = "elu", post.alpha = p.slope;
    else if (p.act_type == "gelu") post.algorithm = "gelu_erf";
    else return std::nullopt;
    return post;
  }
  if (op == "clip") {
    const ClipParam p = ClipParam::Parse(attrs);
    if (!(p.a_min <= p.a_max)) return std::nullopt;  // MXNet's order of tests matters only then
    post.algorithm = "clip";
    post.alpha = p.a_min;
    post.beta = p.a_max;
    return post;
  }
  return std::nullopt;
}

/// MXNet's IsOutputUInt8 test for one activation: whether it never yields negative values.
inline bool IsNonNegativeEltwise(const ConvPostOp& op) {
  if (op.kind != ConvPostOp::Kind::kEltwise) return false;
  return (op.algorithm == "relu" && op.alpha == 0.f) || op.algorithm == "logistic" ||
         op.algorithm == "soft_relu" || (op.algorithm == "clip" && op.alpha >= 0.f);
}

}  // namespace mxserve
