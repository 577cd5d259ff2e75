// SPDX-License-Identifier: Apache-2.0
// Unary math ops: same shape, may run in place. The 1.x ops keep the dtype; most 2.0 _npi_ ops
// are "mixed type" (MXNet MixedUnaryOpType): an integer or bool input gives a float32 output.
#include "ops/unary_math.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

bool IsIntegerExactFn(UnaryFn fn) {
  switch (fn) {
    case UnaryFn::kRelu:
    case UnaryFn::kNegative:
    case UnaryFn::kAbs:
    case UnaryFn::kSign:
    case UnaryFn::kRound:
    case UnaryFn::kRint:
    case UnaryFn::kCeil:
    case UnaryFn::kFloor:
    case UnaryFn::kTrunc:
    case UnaryFn::kSquare:
    case UnaryFn::kLogicalNot:
      return true;
    default:
      return false;
  }
}

bool IsBoolOutFn(UnaryFn fn) { return fn == UnaryFn::kLogicalNot; }

UnaryMathParam UnaryMathParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

namespace {

struct UnaryOp {
  const char* name;                  ///< canonical MXNet name
  UnaryFn fn;                        ///< what it computes
  bool float_out;                    ///< 2.0 mixed-type op: integer inputs give float32
                                     ///< (bool output instead for IsBoolOutFn functions)
  std::vector<std::string> aliases;  ///< MXNet add_alias names
};

const std::vector<UnaryOp>& UnaryOps() {
  using F = UnaryFn;
  static const std::vector<UnaryOp> ops{
      {"relu", F::kRelu, false, {}},
      {"sigmoid", F::kSigmoid, false, {}},
      {"softsign", F::kSoftsign, false, {"_npx_softsign"}},
      {"negative", F::kNegative, false, {}},
      {"abs", F::kAbs, false, {}},
      {"sign", F::kSign, false, {}},
      {"round", F::kRound, false, {}},
      {"rint", F::kRint, false, {}},
      {"ceil", F::kCeil, false, {}},
      {"floor", F::kFloor, false, {}},
      {"trunc", F::kTrunc, false, {}},
      {"fix", F::kTrunc, false, {}},
      {"erf", F::kErf, false, {"_npx_erf"}},
      {"sin", F::kSin, false, {}},
      {"cos", F::kCos, false, {}},
      {"tan", F::kTan, false, {}},
      {"sinh", F::kSinh, false, {}},
      {"cosh", F::kCosh, false, {}},
      {"tanh", F::kTanh, false, {}},
      {"arcsin", F::kArcsin, false, {}},
      {"arccos", F::kArccos, false, {}},
      {"arctan", F::kArctan, false, {}},
      {"arcsinh", F::kArcsinh, false, {}},
      {"arccosh", F::kArccosh, false, {}},
      {"arctanh", F::kArctanh, false, {}},
      {"degrees", F::kDegrees, false, {}},
      {"radians", F::kRadians, false, {}},
      {"gamma", F::kGamma, false, {"_npx_gamma"}},
      {"gammaln", F::kGammaln, false, {"_npx_gammaln"}},
      {"logical_not", F::kLogicalNot, false, {}},
      // MXNet 2.0 only.
      {"log_sigmoid", F::kLogSigmoid, false, {}},
      {"mish", F::kMish, false, {}},
      {"reciprocal", F::kReciprocal, false, {}},
      {"square", F::kSquare, false, {}},
      {"sqrt", F::kSqrt, false, {}},
      {"rsqrt", F::kRsqrt, false, {}},
      {"cbrt", F::kCbrt, false, {}},
      {"exp", F::kExp, false, {}},
      {"log", F::kLog, false, {}},
      {"log10", F::kLog10, false, {}},
      {"log2", F::kLog2, false, {}},
      {"log1p", F::kLog1p, false, {}},
      {"expm1", F::kExpm1, false, {}},
      {"erfinv", F::kErfinv, false, {"_npx_erfinv"}},
      // MXNet 2.0 numpy names. relu/sigmoid/absolute/negative/sign/square/reciprocal keep the
      // dtype there as well; the others are mixed-type.
      {"_npx_relu", F::kRelu, false, {}},
      {"_npx_sigmoid", F::kSigmoid, false, {}},
      {"_npi_absolute", F::kAbs, false, {"_npi_abs"}},
      {"_npi_negative", F::kNegative, false, {}},
      {"_npi_sign", F::kSign, false, {}},
      {"_npi_square", F::kSquare, false, {}},
      {"_npi_reciprocal", F::kReciprocal, false, {}},
      {"_npi_rint", F::kRint, true, {}},
      {"_npi_ceil", F::kCeil, true, {}},
      {"_npi_floor", F::kFloor, true, {}},
      {"_npi_trunc", F::kTrunc, true, {}},
      {"_npi_fix", F::kTrunc, true, {}},
      {"_npi_sin", F::kSin, true, {}},
      {"_npi_cos", F::kCos, true, {}},
      {"_npi_tan", F::kTan, true, {}},
      {"_npi_sinh", F::kSinh, true, {}},
      {"_npi_cosh", F::kCosh, true, {}},
      {"_npi_tanh", F::kTanh, true, {}},
      {"_npi_arcsin", F::kArcsin, true, {}},
      {"_npi_arccos", F::kArccos, true, {}},
      {"_npi_arctan", F::kArctan, true, {}},
      {"_npi_sqrt", F::kSqrt, true, {}},
      {"_npi_cbrt", F::kCbrt, true, {}},
      {"_npi_exp", F::kExp, true, {}},
      {"_npi_log", F::kLog, true, {}},
      {"_npi_log10", F::kLog10, true, {}},
      {"_npi_log2", F::kLog2, true, {}},
      {"_npi_log1p", F::kLog1p, true, {}},
      {"_npi_expm1", F::kExpm1, true, {}},
      {"_npi_arcsinh", F::kArcsinh, true, {}},
      {"_npi_arccosh", F::kArccosh, true, {}},
      {"_npi_arctanh", F::kArctanh, true, {}},
      {"_npi_degrees", F::kDegrees, true, {}},
      {"_npi_radians", F::kRadians, true, {}},
      {"_npi_logical_not", F::kLogicalNot, true, {}},
  };
  return ops;
}

void InferShape(const UnaryMathParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
  MXS_CHECK(in[0] == out[0]) << "output has shape " << out[0].ToString() << ", input "
                             << in[0].ToString();
}

void InferTypeFloatOut(const UnaryMathParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  DType t = IsFloatingPoint(in[0]) ? in[0] : DType::kFloat32;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the expected " << DTypeName(t);
  out[0] = t;
}

void InferTypeBoolOut(const UnaryMathParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == DType::kBool)
      << "output dtype " << DTypeName(out[0]) << " differs from the expected bool";
  out[0] = DType::kBool;
}

}  // namespace

std::vector<std::string> UnaryMathOpNames() {
  std::vector<std::string> names;
  for (const auto& e : UnaryOps()) names.push_back(e.name);
  return names;
}

UnaryFn UnaryMathFnOf(const std::string& op) {
  for (const auto& e : UnaryOps())
    if (op == e.name) return e.fn;
  MXS_THROW(kInternal) << op << " is not a unary math operator";
}

MXS_REGISTER_OPS(unary_math) {
  for (const auto& e : UnaryOps()) {
    OpDef& def = r.Add(e.name)
                     .Aliases(e.aliases)
                     .Param<UnaryMathParam>()
                     .NumInputs(1)
                     .InferShape(InferShape)
                     .Inplace({{0, 0}});
    if (e.float_out) def.InferType(IsBoolOutFn(e.fn) ? InferTypeBoolOut : InferTypeFloatOut);
  }
}

}  // namespace mxserve
