// SPDX-License-Identifier: Apache-2.0
// tile (_npi_tile) and repeat (_np_repeat): MXNet src/operator/tensor/matrix_op-inl.h TileParam,
// RepeatParam, TileOpShape, RepeatOpShape.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// tile: the input repeated reps[i] times along each axis, both right-aligned.
struct TileParam {
  std::vector<int64_t> reps;   ///< repetitions per axis, each >= 0; empty = a copy

  static TileParam Parse(const AttrMap& attrs);
  /// The output shape; a longer reps prepends axes to the input.
  Shape OutShape(const Shape& in) const;
};

/// repeat: each element repeated `repeats` times along `axis` (or of the flattened input).
struct RepeatParam {
  int64_t repeats = 1;            ///< repetitions, >= 0; 0 gives the empty shape (0,)
  std::optional<int64_t> axis;    ///< the axis, may be negative; None = flatten first

  static RepeatParam Parse(const AttrMap& attrs);
  Shape OutShape(const Shape& in) const;
};

}  // namespace mxserve
