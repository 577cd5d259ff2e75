// SPDX-License-Identifier: Apache-2.0
// Element-wise binary ops on equal shapes (elemwise_add, _maximum, add_n...) and the BinaryFn
// table shared with broadcast_binary and scalar_binary.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

/// The arithmetic or comparison one binary op applies to each pair of elements.
enum class BinaryFn {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kMax,
  kMin,
  kMod,         ///< mshadow_op::mod: the result takes the divisor's sign; x mod 0 = 0
  kHypot,
  kSmoothL1,    ///< smooth_l1(x, sigma), scalar op only
  kEqual,
  kNotEqual,
  kGreater,
  kGreaterEqual,
  kLesser,
  kLesserEqual,
  kLogicalAnd,
  kLogicalOr,
  kLogicalXor,
};

/// True for comparisons and logical ops (kEqual and after), which produce 0 or 1.
bool IsLogicFn(BinaryFn fn);

/// Attributes of the same-shape binary ops: there are none, but unknown keys must be rejected.
struct ElemwiseBinaryParam {
  static ElemwiseBinaryParam Parse(const AttrMap& attrs);
};

/// add_n / ElementWiseSum (MXNet src/operator/tensor/elemwise_sum.cc ElementWiseSumParam).
struct AddNParam {
  int num_args = 1;  ///< number of summed inputs, at least 1

  static AddNParam Parse(const AttrMap& attrs);
};

/// The function of a same-shape binary op, by canonical name; throws kInternal if it is not one.
BinaryFn ElemwiseBinaryFnOf(const std::string& op);
/// Canonical names of the same-shape binary ops (add_n excluded), for the backends' registration.
std::vector<std::string> ElemwiseBinaryOpNames();

}  // namespace mxserve
