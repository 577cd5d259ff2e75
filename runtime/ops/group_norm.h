// SPDX-License-Identifier: Apache-2.0
// GroupNorm (MXNet src/operator/nn/group_norm-inl.h GroupNormParam).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct GroupNormParam {
  int64_t num_groups = 1;        ///< channel groups normalised separately
  float eps = 1e-5f;             ///< added to the variance before the square root
  bool output_mean_var = false;  ///< also output the mean and std per (sample, group)

  static GroupNormParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
