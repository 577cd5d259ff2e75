// SPDX-License-Identifier: Apache-2.0
// reverse (alias flip): the input with the order of its elements reversed along some axes
// (MXNet src/operator/tensor/matrix_op-inl.h ReverseParam).
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

struct ReverseParam {
  std::vector<int64_t> axis;  ///< axes to reverse, in [0, ndim); an axis listed twice is restored

  static ReverseParam Parse(const AttrMap& attrs);
  /// Per axis of an `ndim`-axis input: whether it ends up reversed.
  std::vector<bool> Flipped(int ndim) const;
  /// The output as a view of input `in`: negative strides on the reversed axes, starting at
  /// their last element.
  StridedView View(const Shape& in) const;
};

}  // namespace mxserve
