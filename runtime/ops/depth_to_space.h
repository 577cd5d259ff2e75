// SPDX-License-Identifier: Apache-2.0
// depth_to_space and space_to_depth: 4-D NCHW blocks moved between channels and space (MXNet
// src/operator/tensor/matrix_op-inl.h DepthToSpaceParam, DepthToSpaceOpShape,
// SpaceToDepthOpShape).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct DepthToSpaceParam {
  int64_t block_size = 1;  ///< edge of the moved square blocks, > 0

  static DepthToSpaceParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
