// SPDX-License-Identifier: Apache-2.0
// Element-wise unary math ops (exp, sqrt, relu, floor... and their MXNet 2.0 _npi_/_npx_ names).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

/// The function one unary op applies to each element.
enum class UnaryFn {
  kRelu,
  kSigmoid,
  kSoftsign,
  kNegative,
  kAbs,
  kSign,
  kRound,
  kRint,
  kCeil,
  kFloor,
  kTrunc,
  kErf,
  kSin,
  kCos,
  kTan,
  kSinh,
  kCosh,
  kTanh,
  kArcsin,
  kArccos,
  kArctan,
  kArcsinh,
  kArccosh,
  kArctanh,
  kDegrees,
  kRadians,
  kGamma,
  kGammaln,
  kLogicalNot,
  kLogSigmoid,
  kMish,
  kReciprocal,
  kSquare,
  kSqrt,
  kRsqrt,
  kCbrt,
  kExp,
  kLog,
  kLog10,
  kLog2,
  kLog1p,
  kExpm1,
  kErfinv,
};

/// True for functions that map integers to integers exactly in MXNet (abs, sign, floor...).
bool IsIntegerExactFn(UnaryFn fn);

/// True for functions whose 2.0 numpy form returns bool (_npi_logical_not).
bool IsBoolOutFn(UnaryFn fn);

/// Attributes of the unary math ops: there are none, but unknown keys must be rejected.
struct UnaryMathParam {
  static UnaryMathParam Parse(const AttrMap& attrs);
};

/// The function of a unary math op, by canonical name; throws kInternal otherwise.
UnaryFn UnaryMathFnOf(const std::string& op);
/// Canonical names of the unary math ops, for the backends' registration.
std::vector<std::string> UnaryMathOpNames();

}  // namespace mxserve
