// SPDX-License-Identifier: Apache-2.0
// L2Normalization (MXNet src/operator/l2_normalization-inl.h L2NormalizationParam).
#pragma once

#include <string>

#include "graph/graph.h"

namespace mxserve {

struct L2NormalizationParam {
  float eps = 1e-10f;            ///< added to the sum of squares before the square root
  std::string mode = "instance";  ///< instance (all but axis 0), channel (axis 1), spatial (2..)

  static L2NormalizationParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
