// SPDX-License-Identifier: Apache-2.0
// hard_sigmoid (MXNet src/operator/tensor/elemwise_unary_op.h HardSigmoidParam).
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct HardSigmoidParam {
  float alpha = 0.2f;  ///< slope
  float beta = 0.5f;   ///< offset

  static HardSigmoidParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
