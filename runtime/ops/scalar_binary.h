// SPDX-License-Identifier: Apache-2.0
// Tensor-scalar ops (_plus_scalar, _rdiv_scalar, _npi_add_scalar...): MXNet
// src/operator/tensor/elemwise_binary_scalar_op.h NumpyBinaryScalarParam.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/elemwise_binary.h"

namespace mxserve {

struct ScalarBinaryParam {
  double scalar = 1.0;  ///< the scalar operand
  bool is_int = true;   ///< whether the scalar was a Python int (decides the dtype of int inputs)

  static ScalarBinaryParam Parse(const AttrMap& attrs);
};

/// What one tensor-scalar op computes.
struct ScalarFn {
  BinaryFn fn;         ///< the function
  bool reverse;        ///< true for _r* ops: fn(scalar, x) instead of fn(x, scalar)
};

/// The function of a tensor-scalar op, by canonical name; throws kInternal otherwise.
ScalarFn ScalarBinaryFnOf(const std::string& op);
/// Canonical names of the tensor-scalar ops, for the backends' registration.
std::vector<std::string> ScalarBinaryOpNames();

}  // namespace mxserve
