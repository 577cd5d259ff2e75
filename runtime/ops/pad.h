// SPDX-License-Identifier: Apache-2.0
// Pad (pad, _npx_pad): constant, edge or reflect padding of the spatial axes of a 4-D or 5-D
// tensor (MXNet src/operator/pad-inl.h PadParam, PadProp::InferShape); _npi_pad, MXNet 2.0's
// np.pad on any axis (src/operator/numpy/np_pad_op-inl.h NumpyPadParam).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

struct PadParam {
  /// How the border is filled.
  enum class Mode { kConstant, kEdge, kReflect };
  Mode mode = Mode::kConstant;     ///< the fill rule
  std::vector<int64_t> pad_width;  ///< (before_0, after_0, ..., before_N, after_N)
  double constant_value = 0.0;     ///< the fill value of constant mode

  static PadParam Parse(const AttrMap& attrs);
};

/// _npi_pad: numpy padding with one (before, after) pair per axis.
struct NumpyPadParam {
  /// How the border is filled (numpy's names).
  enum class Mode { kConstant, kEdge, kReflect, kSymmetric, kMaximum, kMinimum };
  Mode mode = Mode::kConstant;                  ///< the fill rule
  std::vector<std::vector<int64_t>> pad_width;  ///< (before, after) per axis
  double constant_values = 0.0;                 ///< the fill value of constant mode

  static NumpyPadParam Parse(const AttrMap& attrs);
  /// Output index j of an axis of input length n with `before` padding -> input index, -1 for
  /// the constant (kConstant) or for a position filled by the axis's max/min.
  int64_t Source(int64_t j, int64_t n, int64_t before) const;
};

}  // namespace mxserve
