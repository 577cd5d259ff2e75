// SPDX-License-Identifier: Apache-2.0
// shape_array (_npx_shape_array) and size_array (MXNet src/operator/tensor/
// elemwise_unary_op_basic.cc): the input's shape or element count as an int64 tensor.
#pragma once

#include "graph/graph.h"

namespace mxserve {

/// shape_array and size_array take no attributes.
struct ShapeArrayParam {
  static ShapeArrayParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
