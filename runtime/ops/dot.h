// SPDX-License-Identifier: Apache-2.0
// dot and batch_dot (MXNet src/operator/tensor/dot-inl.h DotParam, DotShape, BatchDotShape).
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/post_op.h"

namespace mxserve {

struct DotParam {
  bool transpose_a = false;  ///< use the transpose of the first input
  bool transpose_b = false;  ///< use the transpose of the second input
  std::vector<ConvPostOp> post_ops;  ///< fused element-wise steps (kEltwise only), set by
                                     ///< passes/fuse_fully_connected.cc; never parsed

  static DotParam Parse(const AttrMap& attrs);
};

/// The matrix product a dot or batch_dot node computes: batch x (m, k) x (k, n).
struct DotDims {
  int64_t batch = 1;  ///< product of the leading batch dims (batch_dot) or 1 (dot)
  int64_t m = 1;      ///< rows of the (transposed) first input
  int64_t k = 1;      ///< the contracted length
  int64_t n = 1;      ///< columns of the (transposed) second input
  Shape out;          ///< output shape
};

/// dot: the first input is seen as a matrix (all-but-last, last), or (first, rest) when
/// transposed; the second as (first, rest), or (all-but-last, last) when transposed.
DotDims DotShapeOf(const DotParam& p, const Shape& lhs, const Shape& rhs);
/// batch_dot: inputs of the same rank >= 3 with equal leading dims.
DotDims BatchDotShapeOf(const DotParam& p, const Shape& lhs, const Shape& rhs);

}  // namespace mxserve
