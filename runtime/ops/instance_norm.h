// SPDX-License-Identifier: Apache-2.0
// InstanceNorm (MXNet src/operator/instance_norm-inl.h InstanceNormParam).
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct InstanceNormParam {
  float eps = 1e-3f;  ///< added to the variance before the square root

  static InstanceNormParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
