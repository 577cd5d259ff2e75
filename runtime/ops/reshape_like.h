// SPDX-License-Identifier: Apache-2.0
// reshape_like (_npx_reshape_like): lhs reshaped so that dims [lhs_begin, lhs_end) become rhs's
// dims [rhs_begin, rhs_end) (MXNet src/operator/tensor/elemwise_unary_op_basic.cc
// ReshapeLikeShapeCompute). The data is not moved.
#pragma once

#include <cstdint>
#include <optional>

#include "graph/graph.h"

namespace mxserve {

struct ReshapeLikeParam {
  std::optional<int64_t> lhs_begin;  ///< first replaced lhs dim, may be negative; None = 0
  std::optional<int64_t> lhs_end;    ///< end of the replaced lhs dims; None = lhs ndim
  std::optional<int64_t> rhs_begin;  ///< first rhs dim used, may be negative; None = 0
  std::optional<int64_t> rhs_end;    ///< end of the rhs dims used; None = rhs ndim

  static ReshapeLikeParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
