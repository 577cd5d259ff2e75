// SPDX-License-Identifier: Apache-2.0
// Reductions over axes: sum, mean, max, min, prod (MXNet 1.x, src/operator/tensor/
// broadcast_reduce_op.h ReduceAxesParam) and their numpy forms _np_sum/_npi_sum, _npi_mean,
// _np_max/_npi_max, _np_min/_npi_min, _np_prod/_npi_prod (numpy/np_broadcast_reduce_op.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// Which input axes a reduction folds and the output shape it produces.
struct ReducePlan {
  std::vector<bool> reduced;   ///< per input axis: folded into the result
  Shape out;                   ///< output shape (reduced axes dropped unless keepdims)
};

/// MXNet 1.x: axis None or () reduces everything into shape (1,) (or all ones with keepdims).
struct ReduceAxesParam {
  std::optional<std::vector<int64_t>> axis;   ///< axes to reduce; None or () = all
  bool keepdims = false;                      ///< keep reduced axes with size 1
  bool exclude = false;                       ///< reduce the axes NOT listed in axis

  static ReduceAxesParam Parse(const AttrMap& attrs);
  ReducePlan Plan(const Shape& in) const;
};

/// numpy: axis None reduces everything into shape (), axis () reduces nothing.
struct NumpyReduceParam {
  std::optional<std::vector<int64_t>> axis;   ///< axes to reduce; None = all, () = none
  bool keepdims = false;                      ///< keep reduced axes with size 1
  DType dtype = DType::kUnknown;              ///< output dtype; kUnknown = numpy's default rule

  static NumpyReduceParam Parse(const AttrMap& attrs);
  ReducePlan Plan(const Shape& in) const;
};

}  // namespace mxserve
