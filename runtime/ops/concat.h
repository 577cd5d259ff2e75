// SPDX-License-Identifier: Apache-2.0
// Concat (MXNet src/operator/nn/concat-inl.h ConcatParam).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct ConcatParam {
  int num_args = 0;      ///< number of inputs
  int dim = 1;           ///< concatenation axis; negative counts from the end
  bool flatten = false;  ///< dim=None (MXNet 2): inputs are flattened and joined into 1-D

  static ConcatParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
