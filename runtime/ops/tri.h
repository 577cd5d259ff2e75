// SPDX-License-Identifier: Apache-2.0
// _npi_tril, _npi_triu (MXNet 2.0 src/operator/numpy/np_tril_op-inl.h, np_triu_op-inl.h) and
// _npi_diag (np_matrix_op-inl.h NumpyDiagShapeImpl).
#pragma once

#include <cstdint>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// The diagonal offset shared by the three ops: 0 is the main diagonal, k > 0 above it.
struct TriParam {
  int64_t k = 0;  ///< diagonal offset

  static TriParam Parse(const AttrMap& attrs);
};

/// tril / triu output: a 1-D input of length n becomes (n, n) (its copies as rows), anything
/// else keeps its shape (the last two axes are the matrices).
Shape TriShape(const Shape& in);
/// diag output: the k-th diagonal of a 2-D input, or the (n+|k|, n+|k|) matrix with a 1-D input
/// on its k-th diagonal.
Shape DiagShape(const Shape& in, int64_t k);

}  // namespace mxserve
