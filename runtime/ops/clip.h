// SPDX-License-Identifier: Apache-2.0
// clip (MXNet src/operator/tensor/matrix_op-inl.h ClipParam); _npi_clip in MXNet 2.0.
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct ClipParam {
  float a_min = 0.f;  ///< lower bound (MXNet stores it as float); -inf when written as None
  float a_max = 0.f;  ///< upper bound; +inf when written as None

  static ClipParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
