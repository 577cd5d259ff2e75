// SPDX-License-Identifier: Apache-2.0
// Strided windows of a tensor: slice (crop, _npi_slice), slice_axis, slice_like (_npx_slice_like)
// (MXNet src/operator/tensor/matrix_op-inl.h GetIndexRange, GetSliceAxisParams, SliceLikeShape).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

/// The elements a slice reads: output index j of axis k comes from input index begin[k] + j * step[k].
struct SliceWindow {
  std::vector<int64_t> begin;   ///< first input index per axis (-1 only when that output axis is empty)
  std::vector<int64_t> step;    ///< input stride per axis, negative to walk backwards
  Shape out;                    ///< output shape

  /// The output as a view of input `in` (step times the axis stride; offset 0 when empty).
  StridedView View(const Shape& in) const;
};

/// slice: Python-style begin/end/step per leading axis, each possibly None.
struct SliceParam {
  std::vector<std::optional<int64_t>> begin;   ///< start per axis; None = from the start (or end for step < 0)
  std::vector<std::optional<int64_t>> end;     ///< stop per axis (exclusive); None = to the end
  std::vector<std::optional<int64_t>> step;    ///< step per axis, empty or as long as begin; None = 1

  static SliceParam Parse(const AttrMap& attrs);
  /// MXNet's GetIndexRange + SetSliceOpOutputDimSize for input shape `in`.
  SliceWindow Window(const Shape& in) const;
};

/// slice_axis: [begin, end) on one axis; negative values count from the end.
struct SliceAxisParam {
  int64_t axis = 0;                ///< the sliced axis, may be negative
  int64_t begin = 0;               ///< start index, may be negative
  std::optional<int64_t> end;      ///< stop index (exclusive), may be negative; None = axis size

  static SliceAxisParam Parse(const AttrMap& attrs);
  SliceWindow Window(const Shape& in) const;
};

/// slice_like: the leading corner of the first input with the second input's size on `axes`.
struct SliceLikeParam {
  std::vector<int64_t> axes;   ///< axes to slice, negative allowed; empty = every axis

  static SliceLikeParam Parse(const AttrMap& attrs);
  SliceWindow Window(const Shape& in, const Shape& like) const;
};

}  // namespace mxserve
