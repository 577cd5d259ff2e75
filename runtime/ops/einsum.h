// SPDX-License-Identifier: Apache-2.0
// _npi_einsum: numpy.einsum (MXNet 2.0 src/operator/numpy/np_einsum_op.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct EinsumParam {
  int num_args = 1;        ///< number of operands, at least 1
  std::string subscripts;  ///< "ij,jk->ik"; implicit output and "..." allowed
  int optimize = 0;        ///< contraction-order search in MXNet; the result does not depend on it

  static EinsumParam Parse(const AttrMap& attrs);
};

/// The subscripts resolved against the operand shapes. Labels are numbered: letters 0..51, the
/// axes an ellipsis stands for 52 and up.
struct EinsumSpec {
  std::vector<std::vector<int>> labels;  ///< per operand, the label of each axis
  std::vector<int> out_labels;           ///< label of each output axis
  std::vector<int64_t> label_size;       ///< size of each label (broadcast over size-1 axes)
  Shape out;                             ///< output shape
};

/// Parses `p.subscripts` for operands of `shapes`; throws kInvalidArgument on malformed
/// subscripts, wrong operand ranks or mismatched sizes.
EinsumSpec MakeEinsumSpec(const EinsumParam& p, const std::vector<Shape>& shapes);

}  // namespace mxserve
