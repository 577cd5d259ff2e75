// SPDX-License-Identifier: Apache-2.0
// FullyConnected (MXNet src/operator/nn/fully_connected-inl.h FullyConnectedParam).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "ops/convolution.h"

namespace mxserve {

struct FullyConnectedParam {
  int64_t num_hidden = 0;  ///< output features
  bool no_bias = false;    ///< no bias input when true
  bool flatten = true;     ///< collapse all but the first axis of data; else apply to the last axis
  std::vector<ConvPostOp> post_ops;  ///< fused element-wise steps (kEltwise only), set by
                                     ///< passes/fuse_fully_connected.cc; never parsed

  static FullyConnectedParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
