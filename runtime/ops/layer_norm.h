// SPDX-License-Identifier: Apache-2.0
// LayerNorm (MXNet src/operator/nn/layer_norm-inl.h LayerNormParam).
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct LayerNormParam {
  int axis = -1;                 ///< normalised axis; negative counts from the end
  double eps = 1e-5;             ///< added to the variance
  bool output_mean_var = false;  ///< also output the mean and the std (sqrt(var + eps))

  static LayerNormParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
