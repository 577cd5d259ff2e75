// SPDX-License-Identifier: Apache-2.0
// depth_to_space and space_to_depth: 4-D NCHW blocks moved between channels and space (MXNet
// src/operator/tensor/matrix_op-inl.h DepthToSpaceParam, DepthToSpaceOpShape,
// SpaceToDepthOpShape).
#pragma once

#include <cstdint>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

struct DepthToSpaceParam {
  int64_t block_size = 1;  ///< edge of the moved square blocks, > 0

  static DepthToSpaceParam Parse(const AttrMap& attrs);
  /// depth_to_space's output as a view of input `in`: `in` seen as (N, b, b, C', H, W) and read
  /// in the order (N, C', H, b, W, b).
  StridedView DepthToSpaceView(const Shape& in) const;
  /// space_to_depth's output as a view of input `in`: `in` seen as (N, C, H', b, W', b) and
  /// read in the order (N, b, b, C, H', W').
  StridedView SpaceToDepthView(const Shape& in) const;
};

}  // namespace mxserve
