// SPDX-License-Identifier: Apache-2.0
// Tensor-scalar ops. The output dtype follows MXNet's NumpyBinaryScalarType (same in 1.9.1 and
// 2.0): an integer tensor with a non-integer scalar gives float64, a bool tensor gives int64 or
// float64, anything else keeps its dtype. _npi_true_divide_scalar instead turns integer tensors
// into float32 (TrueDivideType), and _npi_*_scalar comparisons return bool.
#include "ops/scalar_binary.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ScalarBinaryParam ScalarBinaryParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ScalarBinaryParam p;
  p.scalar = r.Float("scalar", 1.0);
  p.is_int = r.Bool("is_int", true);
  r.Finish();
  return p;
}

namespace {

/// How the output dtype follows from the input.
enum class TypeRule {
  kScalar,      ///< NumpyBinaryScalarType
  kTrueDivide,  ///< integer tensors give float32
  kBool,        ///< bool output
  kSame,        ///< the output keeps the input dtype (smooth_l1: ElemwiseType)
};

struct ScalarOp {
  const char* name;                  ///< canonical MXNet name
  ScalarFn fn;                       ///< what it computes
  TypeRule type;                     ///< dtype rule
  std::vector<std::string> aliases;  ///< MXNet add_alias names
};

const std::vector<ScalarOp>& ScalarOps() {
  using F = BinaryFn;
  static const std::vector<ScalarOp> ops{
      {"_plus_scalar", {F::kAdd, false}, TypeRule::kScalar, {"_PlusScalar"}},
      {"_minus_scalar", {F::kSub, false}, TypeRule::kScalar, {"_MinusScalar"}},
      {"_rminus_scalar", {F::kSub, true}, TypeRule::kScalar, {"_RMinusScalar"}},
      {"_mul_scalar", {F::kMul, false}, TypeRule::kScalar, {"_MulScalar"}},
      {"_div_scalar", {F::kDiv, false}, TypeRule::kScalar, {"_DivScalar"}},
      {"_rdiv_scalar", {F::kDiv, true}, TypeRule::kScalar, {"_RDivScalar"}},
      {"_power_scalar", {F::kPow, false}, TypeRule::kScalar, {"_PowerScalar"}},
      {"_rpower_scalar", {F::kPow, true}, TypeRule::kScalar, {"_RPowerScalar"}},
      {"_maximum_scalar", {F::kMax, false}, TypeRule::kScalar, {"_MaximumScalar", "_npi_maximum_scalar"}},
      {"_minimum_scalar", {F::kMin, false}, TypeRule::kScalar, {"_MinimumScalar", "_npi_minimum_scalar"}},
      {"_mod_scalar", {F::kMod, false}, TypeRule::kScalar, {"_ModScalar"}},
      {"_rmod_scalar", {F::kMod, true}, TypeRule::kScalar, {"_RModScalar"}},
      {"_hypot_scalar", {F::kHypot, false}, TypeRule::kScalar, {"_HypotScalar", "_npi_hypot_scalar"}},
      {"smooth_l1", {F::kSmoothL1, false}, TypeRule::kSame, {"_npx_smooth_l1"}},
      {"_equal_scalar", {F::kEqual, false}, TypeRule::kScalar, {"_EqualScalar"}},
      {"_not_equal_scalar", {F::kNotEqual, false}, TypeRule::kScalar, {"_NotEqualScalar"}},
      {"_greater_scalar", {F::kGreater, false}, TypeRule::kScalar, {"_GreaterScalar"}},
      {"_greater_equal_scalar", {F::kGreaterEqual, false}, TypeRule::kScalar, {"_GreaterEqualScalar"}},
      {"_lesser_scalar", {F::kLesser, false}, TypeRule::kScalar, {"_LesserScalar"}},
      {"_lesser_equal_scalar", {F::kLesserEqual, false}, TypeRule::kScalar, {"_LesserEqualScalar"}},
      {"_logical_and_scalar", {F::kLogicalAnd, false}, TypeRule::kScalar, {"_LogicalAndScalar"}},
      {"_logical_or_scalar", {F::kLogicalOr, false}, TypeRule::kScalar, {"_LogicalOrScalar"}},
      {"_logical_xor_scalar", {F::kLogicalXor, false}, TypeRule::kScalar, {"_LogicalXorScalar"}},
      {"_npi_add_scalar", {F::kAdd, false}, TypeRule::kScalar, {}},
      {"_npi_subtract_scalar", {F::kSub, false}, TypeRule::kScalar, {}},
      {"_npi_rsubtract_scalar", {F::kSub, true}, TypeRule::kScalar, {}},
      {"_npi_multiply_scalar", {F::kMul, false}, TypeRule::kScalar, {}},
      {"_npi_true_divide_scalar", {F::kDiv, false}, TypeRule::kTrueDivide, {}},
      {"_npi_rtrue_divide_scalar", {F::kDiv, true}, TypeRule::kTrueDivide, {}},
      {"_npi_power_scalar", {F::kPow, false}, TypeRule::kScalar, {}},
      {"_npi_rpower_scalar", {F::kPow, true}, TypeRule::kScalar, {}},
      {"_npi_equal_scalar", {F::kEqual, false}, TypeRule::kBool, {}},
      {"_npi_not_equal_scalar", {F::kNotEqual, false}, TypeRule::kBool, {}},
      {"_npi_greater_scalar", {F::kGreater, false}, TypeRule::kBool, {}},
      {"_npi_greater_equal_scalar", {F::kGreaterEqual, false}, TypeRule::kBool, {}},
      {"_npi_less_scalar", {F::kLesser, false}, TypeRule::kBool, {}},
      {"_npi_less_equal_scalar", {F::kLesserEqual, false}, TypeRule::kBool, {}},
  };
  return ops;
}

void InferShape(const ScalarBinaryParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
  MXS_CHECK(in[0] == out[0]) << "output has shape " << out[0].ToString() << ", input "
                             << in[0].ToString();
}

bool IsInteger(DType t) { return t != DType::kBool && !IsFloatingPoint(t); }

void SetOut(std::vector<DType>& out, DType t) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the expected " << DTypeName(t);
  out[0] = t;
}

void InferTypeScalar(const ScalarBinaryParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  DType t = in[0];
  if (t == DType::kUnknown) {
    // Only the dtype-preserving case can be inferred backwards.
    if (out[0] != DType::kUnknown && IsFloatingPoint(out[0])) in[0] = out[0];
    return;
  }
  if (IsInteger(t) && !p.is_int) t = DType::kFloat64;
  if (in[0] == DType::kBool) t = p.is_int ? DType::kInt64 : DType::kFloat64;
  SetOut(out, t);
}

void InferTypeTrueDivide(const ScalarBinaryParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  SetOut(out, IsFloatingPoint(in[0]) ? in[0] : DType::kFloat32);
}

void InferTypeBool(const ScalarBinaryParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] != DType::kUnknown) SetOut(out, DType::kBool);
}

}  // namespace

std::vector<std::string> ScalarBinaryOpNames() {
  std::vector<std::string> names;
  for (const auto& e : ScalarOps()) names.push_back(e.name);
  return names;
}

ScalarFn ScalarBinaryFnOf(const std::string& op) {
  for (const auto& e : ScalarOps())
    if (op == e.name) return e.fn;
  MXS_THROW(kInternal) << op << " is not a tensor-scalar operator";
}

MXS_REGISTER_OPS(scalar_binary) {
  for (const auto& e : ScalarOps()) {
    OpDef& def = r.Add(e.name)
                     .Aliases(e.aliases)
                     .Param<ScalarBinaryParam>()
                     .NumInputs(1)
                     .InferShape(InferShape)
                     .Inplace({{0, 0}});
    if (e.type == TypeRule::kScalar) def.InferType(InferTypeScalar);
    if (e.type == TypeRule::kTrueDivide) def.InferType(InferTypeTrueDivide);
    if (e.type == TypeRule::kBool) def.InferType(InferTypeBool);
  }
}

}  // namespace mxserve
