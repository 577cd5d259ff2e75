// SPDX-License-Identifier: Apache-2.0
// MXNet 2.0 numpy element-wise ops without a 1.x counterpart: floor_divide, fmod, hypot,
// copysign, arctan2, fmax, fmin, ldexp, gcd, lcm, logical_and/or/xor and bitwise_and/or/xor
// (broadcasting, with
// their _scalar and reversed _r*_scalar forms), _npi_mod_scalar / _npi_rmod_scalar and
// _npi_bitwise_not (src/operator/numpy/np_elemwise_broadcast_op*.cc, mshadow_op.h). hypot's
// scalar form is MXNet's _hypot_scalar (alias _npi_hypot_scalar).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

/// What one numpy element-wise op computes on each pair of elements.
enum class NpFn {
  kMod,          ///< numpy remainder: the sign of the divisor; 0 for a zero divisor
  kFloorDivide,  ///< floor(a / b)
  kFmod,         ///< C fmod: the sign of the dividend; 0 for a zero divisor
  kHypot,        ///< sqrt(a^2 + b^2)
  kCopysign,     ///< |a| with the sign of b
  kArctan2,      ///< atan2(a, b)
  kFmax,         ///< maximum ignoring NaN
  kFmin,         ///< minimum ignoring NaN
  kLogicalAnd,
  kLogicalOr,
  kLogicalXor,
  kBitwiseAnd,
  kBitwiseOr,
  kBitwiseXor,
  kBitwiseNot,  ///< unary: ~x, logical not for bool
  kLdexp,       ///< a * 2^b
  kGcd,         ///< greatest common divisor (non-negative), integers only
  kLcm,         ///< least common multiple (non-negative), integers only
};

/// How an op takes its operands.
enum class NpArity {
  kBroadcast,      ///< two broadcasting tensors
  kScalar,         ///< fn(x, scalar)
  kReverseScalar,  ///< fn(scalar, x)
  kUnary,          ///< fn(x)
};

/// The broadcasting and unary ops have no attributes; unknown keys are rejected.
struct NpElemwiseParam {
  static NpElemwiseParam Parse(const AttrMap& attrs);
};

/// The function and arity of a numpy element-wise op by canonical name; throws kInternal otherwise.
void NpElemwiseOf(const std::string& op, NpFn* fn, NpArity* arity);
/// Canonical names of these ops, for the backends' registration.
std::vector<std::string> NpElemwiseOpNames();
/// True for the ops that give bool (logical_*).
bool NpFnIsLogical(NpFn fn);
/// True for the ops defined on integers and bool only (bitwise_*).
bool NpFnIsBitwise(NpFn fn);
/// True for the ops defined on integers only (gcd, lcm).
bool NpFnIsIntegerOnly(NpFn fn);

}  // namespace mxserve
