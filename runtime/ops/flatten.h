// SPDX-License-Identifier: Apache-2.0
// Flatten (MXNet src/operator/tensor/matrix_op-inl.h FlattenShape): (N, d1, ..., dk) -> (N, d1*...*dk).
#pragma once

#include "graph/graph.h"

namespace mxserve {

/// Flatten takes no attributes; any given is an error.
struct FlattenParam {
  static FlattenParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
