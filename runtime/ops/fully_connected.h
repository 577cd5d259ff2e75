// SPDX-License-Identifier: Apache-2.0
// FullyConnected (MXNet src/operator/nn/fully_connected-inl.h FullyConnectedParam).
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct FullyConnectedParam {
  int64_t num_hidden = 0;  ///< output features
  bool no_bias = false;    ///< no bias input when true
  bool flatten = true;     ///< collapse all but the first axis of data; else apply to the last axis

  static FullyConnectedParam Parse(const AttrMap& attrs);
};

/// Shape inference of FullyConnected (inputs data, weight, [bias]); used by the fused form too.
void InferFullyConnectedShape(const FullyConnectedParam& p, std::vector<Shape>& in, std::vector<Shape>& out);

}  // namespace mxserve
