// SPDX-License-Identifier: Apache-2.0
// _contrib_AdaptiveAvgPooling2D (MXNet src/operator/contrib/adaptive_avg_pooling-inl.h
// AdaptiveAvgPoolParam).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct AdaptiveAvgPoolParam {
  int64_t out_height = 1;  ///< output_size[0] (1 when output_size is empty)
  int64_t out_width = 1;   ///< output_size[1], or output_size[0] when it has one entry

  static AdaptiveAvgPoolParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
