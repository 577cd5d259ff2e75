// SPDX-License-Identifier: Apache-2.0
// stack (_npi_stack): num_args inputs of one shape joined along a new axis (MXNet
// src/operator/tensor/matrix_op-inl.h StackParam, StackOpShape).
#pragma once

#include <cstdint>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

struct StackParam {
  int64_t axis = 0;  ///< position of the new axis in the output, in [-ndim-1, ndim]
  int num_args = 1;  ///< number of stacked inputs, at least 1

  static StackParam Parse(const AttrMap& attrs);
  /// Where input k (of shape `in`, row-major over (outer, inner)) lands in the output, the
  /// output viewed as (outer, num_args, inner): slot k of every outer row.
  StridedView SlotView(const Shape& in, int k) const;
};

}  // namespace mxserve
