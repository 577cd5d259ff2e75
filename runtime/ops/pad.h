// SPDX-License-Identifier: Apache-2.0
// Pad (pad): constant, edge or reflect padding of the spatial axes of a 4-D or 5-D tensor
// (MXNet src/operator/pad-inl.h PadParam, PadProp::InferShape).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

struct PadParam {
  /// How the border is filled.
  enum class Mode { kConstant, kEdge, kReflect };
  Mode mode = Mode::kConstant;        ///< the fill rule
  std::vector<int64_t> pad_width;     ///< (before_0, after_0, ..., before_N, after_N)
  double constant_value = 0.0;        ///< the fill value of constant mode

  static PadParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
