// SPDX-License-Identifier: Apache-2.0
// Element-wise steps fused into a convolution's or a product's output (oneDNN post-ops), and the
// one translation of MXNet activation nodes into them, shared by the fusion passes and by the
// MXNet subgraph nodes (_sg_mkldnn_conv, _sg_mkldnn_fully_connected).
#pragma once

#include <optional>
#include <string>

#include "graph/graph.h"

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
/// LeakyReLU or clip) with attributes `attrs`, or nullopt when there is none.
std::optional<ConvPostOp> EltwisePostOp(const std::string& op, const AttrMap& attrs);

/// MXNet's IsOutputUInt8 test for one activation: whether it never yields negative values.
bool IsNonNegativeEltwise(const ConvPostOp& op);

}  // namespace mxserve
