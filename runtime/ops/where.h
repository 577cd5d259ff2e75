// SPDX-License-Identifier: Apache-2.0
// where (MXNet src/operator/tensor/control_flow_op.h) and the numpy forms _npi_where,
// _npi_where_lscalar, _npi_where_rscalar, _npi_where_scalar2 (numpy/np_where_op-inl.h).
#pragma once

#include "graph/graph.h"

namespace mxserve {

/// where and _npi_where take no attributes.
struct WhereParam {
  static WhereParam Parse(const AttrMap& attrs);
};

/// _npi_where_lscalar (condition ? scalar : tensor) and _npi_where_rscalar (condition ? tensor :
/// scalar).
struct WhereScalarParam {
  double scalar = 0.0;  ///< the scalar operand, cast to the tensor's dtype

  static WhereScalarParam Parse(const AttrMap& attrs);
};

/// _npi_where_scalar2: condition ? x : y with two scalars; the output is float32.
struct WhereScalar2Param {
  double x = 0.0;  ///< value where the condition is non-zero
  double y = 0.0;  ///< value where it is zero

  static WhereScalar2Param Parse(const AttrMap& attrs);
};

}  // namespace mxserve
