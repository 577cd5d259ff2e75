// SPDX-License-Identifier: Apache-2.0
// Activation nodes as oneDNN eltwise post-ops (algorithm names of dnnl::algorithm::eltwise_*).
#include "ops/post_op.h"

#include "ops/activation.h"
#include "ops/clip.h"
#include "ops/leaky_relu.h"

namespace mxserve {

std::optional<ConvPostOp> EltwisePostOp(const std::string& op, const AttrMap& attrs) {
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

bool IsNonNegativeEltwise(const ConvPostOp& op) {
  if (op.kind != ConvPostOp::Kind::kEltwise) return false;
  return (op.algorithm == "relu" && op.alpha == 0.f) || op.algorithm == "logistic" ||
         op.algorithm == "soft_relu" || (op.algorithm == "clip" && op.alpha >= 0.f);
}

}  // namespace mxserve
