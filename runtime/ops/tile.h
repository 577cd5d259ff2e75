// SPDX-License-Identifier: Apache-2.0
// tile (_npi_tile), repeat (_np_repeat, _npi_repeat) and _npi_repeats: MXNet
// src/operator/tensor/matrix_op-inl.h TileParam, RepeatParam, TileOpShape, RepeatOpShape and
// src/operator/numpy/np_repeat_op-inl.h RepeatsParam, RepeatsOpShape.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

/// tile: the input repeated reps[i] times along each axis, both right-aligned.
struct TileParam {
  std::vector<int64_t> reps;  ///< repetitions per axis, each >= 0; empty = a copy

  static TileParam Parse(const AttrMap& attrs);
  /// The output shape; a longer reps prepends axes to the input.
  Shape OutShape(const Shape& in) const;
  /// The output as a view of the input: each output axis split into (repetition, input index),
  /// the repetition with stride 0.
  StridedView View(const Shape& in) const;
};

/// repeat: each element repeated `repeats` times along `axis` (or of the flattened input).
struct RepeatParam {
  int64_t repeats = 1;          ///< repetitions, >= 0; 0 gives the empty shape (0,)
  std::optional<int64_t> axis;  ///< the axis, may be negative; None = flatten first

  static RepeatParam Parse(const AttrMap& attrs);
  Shape OutShape(const Shape& in) const;
  /// The output as a view of the input: a stride-0 repetition axis right after the repeated
  /// one (after the flattened input without an axis).
  StridedView View(const Shape& in) const;
};

/// _npi_repeats (MXNet 2.0 np.repeat): one count for every element, or one per element of the
/// axis (of the flattened input without an axis).
struct RepeatsParam {
  std::vector<int64_t> repeats;  ///< counts, each >= 0: one, or one per element along the axis
  std::optional<int64_t> axis;   ///< the axis, may be negative; None = flatten first

  static RepeatsParam Parse(const AttrMap& attrs);
  Shape OutShape(const Shape& in) const;
  /// For every output position on the (flattened) axis, the input index it copies.
  std::vector<int64_t> Sources(int64_t axis_size) const;
};

}  // namespace mxserve
