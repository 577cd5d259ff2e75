// SPDX-License-Identifier: Apache-2.0
// _npi_matmul: numpy.matmul (MXNet 2.0 src/operator/numpy/np_matmul_op.cc NumpyMatmulShape).
#pragma once

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// _npi_matmul has no attributes; unknown keys are rejected.
struct MatmulParam {
  static MatmulParam Parse(const AttrMap& attrs);
};

/// Both operands of a matmul as batched matrices: a (batch_a..., m, k) times b (batch_b..., k, n),
/// with the batch axes right-aligned, padded with 1s to one rank and broadcast.
struct MatmulGeometry {
  std::vector<int64_t> a_dims;  ///< a as (batch..., m, k), batch padded to the output's rank
  std::vector<int64_t> b_dims;  ///< b as (batch..., k, n)
  std::vector<int64_t> c_dims;  ///< product as (batch..., m, n)
  Shape out;                    ///< numpy result shape (1-D operands drop their added axis)
};

/// numpy's rule: a 1-D a becomes (1, k), a 1-D b becomes (k, 1), and those axes leave the
/// result; batch axes broadcast. Throws kInvalidArgument on scalars and mismatched sizes.
MatmulGeometry MatmulShapes(const Shape& a, const Shape& b);

}  // namespace mxserve
