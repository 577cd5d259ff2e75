// SPDX-License-Identifier: Apache-2.0
// Reshape-like operators that never move data: Reshape, _np_reshape, _npx_reshape, expand_dims,
// squeeze (MXNet src/operator/tensor/matrix_op-inl.h and numpy/np_matrix_op-inl.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

/// Reshape: MXNet 1.x codes in `shape` (0 copy, -1 infer, -2 copy rest, -3 merge two, -4 split).
struct ReshapeParam {
  std::vector<int64_t> shape;                         ///< target shape with special codes; empty if absent
  bool reverse = false;                               ///< apply the codes from right to left
  std::optional<std::vector<int64_t>> target_shape;   ///< deprecated: 0 marks the one inferred dim
  bool keep_highest = false;                          ///< deprecated: keep the first input dim

  static ReshapeParam Parse(const AttrMap& attrs);
};

/// _np_reshape: numpy semantics, one -1 allowed, order 'C' only.
struct NumpyReshapeParam {
  std::vector<int64_t> newshape;   ///< target shape; at most one -1

  static NumpyReshapeParam Parse(const AttrMap& attrs);
};

/// _npx_reshape (_npi_reshape): MXNet 2.0 codes -1 infer, -2 copy, -3 skip a 1, -4 copy rest,
/// -5 merge two, -6 split one into the two following values.
struct NumpyXReshapeParam {
  std::vector<int64_t> newshape;   ///< target shape with special codes
  bool reverse = false;            ///< apply the codes from right to left

  static NumpyXReshapeParam Parse(const AttrMap& attrs);
};

struct ExpandDimsParam {
  int64_t axis = 0;   ///< where the new axis goes, in [-ndim-1, ndim]

  static ExpandDimsParam Parse(const AttrMap& attrs);
};

/// squeeze (MXNet 1.x: squeezing every axis leaves (1,)) and _np_squeeze (numpy: leaves ()).
struct SqueezeParam {
  std::optional<std::vector<int64_t>> axis;   ///< axes to drop (each of size 1); all size-1 axes if absent

  static SqueezeParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
