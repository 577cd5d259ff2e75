// SPDX-License-Identifier: Apache-2.0
// Broadcasting binary ops. MXNet 1.x broadcast_* and the 2.0 _npi_* ops share the numpy rule:
// shapes are right-aligned and each dimension pair must be equal or contain a 1. The 1.x
// comparisons return 0/1 in the input dtype; the 2.0 _npi_* arithmetic ops promote mixed
// dtypes (only equal dtypes are implemented) and _npi_true_divide turns integers into float32.
#include "ops/broadcast_binary.h"

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

BroadcastBinaryParam BroadcastBinaryParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

Shape BroadcastShapes(const Shape& lhs, const Shape& rhs) {
  const int nd = std::max(lhs.ndim(), rhs.ndim());
  std::vector<int64_t> dims(nd);
  for (int i = 0; i < nd; ++i) {
    int il = i - (nd - lhs.ndim()), ir = i - (nd - rhs.ndim());
    int64_t l = il >= 0 ? lhs[il] : 1, r = ir >= 0 ? rhs[ir] : 1;
    MXS_CHECK(l == r || l == 1 || r == 1)
        << "shapes " << lhs.ToString() << " and " << rhs.ToString()
        << " cannot be broadcast together (dimension " << i << ": " << l << " vs " << r << ")";
    dims[i] = l == 1 ? r : l;
  }
  return Shape(dims);
}

namespace {

/// How the output dtype follows from the inputs.
enum class TypeRule {
  kSame,        ///< 1.x: both inputs and the output share one dtype
  kNumpy,       ///< 2.0 arithmetic: equal dtypes pass through (mixed dtypes are not implemented)
  kTrueDivide,  ///< 2.0 true_divide: integer inputs give float32
  kBool,        ///< 2.0 comparisons: bool output
};

struct BroadcastOp {
  const char* name;                  ///< canonical MXNet name
  BinaryFn fn;                       ///< what it computes
  TypeRule type;                     ///< dtype rule
  std::vector<std::string> aliases;  ///< MXNet add_alias names
};

const std::vector<BroadcastOp>& BroadcastOps() {
  static const std::vector<BroadcastOp> ops{
      {"broadcast_add", BinaryFn::kAdd, TypeRule::kSame, {"broadcast_plus"}},
      {"broadcast_sub", BinaryFn::kSub, TypeRule::kSame, {"broadcast_minus"}},
      {"broadcast_mul", BinaryFn::kMul, TypeRule::kSame, {}},
      {"broadcast_div", BinaryFn::kDiv, TypeRule::kSame, {}},
      {"broadcast_power", BinaryFn::kPow, TypeRule::kSame, {}},
      {"broadcast_maximum", BinaryFn::kMax, TypeRule::kSame, {"_npi_maximum"}},
      {"broadcast_minimum", BinaryFn::kMin, TypeRule::kSame, {"_npi_minimum"}},
      {"broadcast_mod", BinaryFn::kMod, TypeRule::kSame, {}},
      {"broadcast_hypot", BinaryFn::kHypot, TypeRule::kSame, {}},
      {"broadcast_equal", BinaryFn::kEqual, TypeRule::kSame, {}},
      {"broadcast_not_equal", BinaryFn::kNotEqual, TypeRule::kSame, {}},
      {"broadcast_greater", BinaryFn::kGreater, TypeRule::kSame, {"_npx_broadcast_greater"}},
      {"broadcast_greater_equal", BinaryFn::kGreaterEqual, TypeRule::kSame, {}},
      {"broadcast_lesser", BinaryFn::kLesser, TypeRule::kSame, {}},
      {"broadcast_lesser_equal", BinaryFn::kLesserEqual, TypeRule::kSame, {}},
      {"broadcast_logical_and", BinaryFn::kLogicalAnd, TypeRule::kSame, {}},
      {"broadcast_logical_or", BinaryFn::kLogicalOr, TypeRule::kSame, {}},
      {"broadcast_logical_xor", BinaryFn::kLogicalXor, TypeRule::kSame, {}},
      {"_npi_add", BinaryFn::kAdd, TypeRule::kNumpy, {}},
      {"_npi_subtract", BinaryFn::kSub, TypeRule::kNumpy, {}},
      {"_npi_multiply", BinaryFn::kMul, TypeRule::kNumpy, {}},
      {"_npi_true_divide", BinaryFn::kDiv, TypeRule::kTrueDivide, {}},
      {"_npi_power", BinaryFn::kPow, TypeRule::kNumpy, {}},
      {"_npi_mod", BinaryFn::kMod, TypeRule::kNumpy, {}},
      {"_npi_equal", BinaryFn::kEqual, TypeRule::kBool, {}},
      {"_npi_not_equal", BinaryFn::kNotEqual, TypeRule::kBool, {}},
      {"_npi_greater", BinaryFn::kGreater, TypeRule::kBool, {}},
      {"_npi_greater_equal", BinaryFn::kGreaterEqual, TypeRule::kBool, {}},
      {"_npi_less", BinaryFn::kLesser, TypeRule::kBool, {}},
      {"_npi_less_equal", BinaryFn::kLesserEqual, TypeRule::kBool, {}},
  };
  return ops;
}

void InferShape(const BroadcastBinaryParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  Shape s = BroadcastShapes(in[0], in[1]);
  MXS_CHECK(!out[0].known() || out[0] == s) << "output has shape " << out[0].ToString()
                                            << ", expected " << s.ToString();
  out[0] = s;
}

// Inputs must agree; mixed dtypes would need numpy type promotion, which is not implemented.
DType SameInputType(std::vector<DType>& in) {
  if (in[0] == DType::kUnknown) in[0] = in[1];
  if (in[1] == DType::kUnknown) in[1] = in[0];
  MXS_CHECK_CODE(in[0] == in[1], kUnsupported)
      << "inputs of different dtypes (" << DTypeName(in[0]) << " and " << DTypeName(in[1])
      << ") need numpy type promotion, which is not implemented";
  return in[0];
}

void SetOut(std::vector<DType>& out, DType t) {
  if (t == DType::kUnknown) return;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the expected " << DTypeName(t);
  out[0] = t;
}

void InferTypeNumpy(const BroadcastBinaryParam&, std::vector<DType>& in, std::vector<DType>& out) {
  SetOut(out, SameInputType(in));
}

void InferTypeTrueDivide(const BroadcastBinaryParam&, std::vector<DType>& in, std::vector<DType>& out) {
  DType t = SameInputType(in);
  if (t != DType::kUnknown && !IsFloatingPoint(t)) t = DType::kFloat32;
  SetOut(out, t);
}

void InferTypeBool(const BroadcastBinaryParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (SameInputType(in) != DType::kUnknown) SetOut(out, DType::kBool);
}

}  // namespace

std::vector<std::string> BroadcastBinaryOpNames() {
  std::vector<std::string> names;
  for (const auto& e : BroadcastOps()) names.push_back(e.name);
  return names;
}

BinaryFn BroadcastBinaryFnOf(const std::string& op) {
  for (const auto& e : BroadcastOps())
    if (op == e.name) return e.fn;
  MXS_THROW(kInternal) << op << " is not a broadcasting binary operator";
}

MXS_REGISTER_OPS(broadcast_binary) {
  for (const auto& e : BroadcastOps()) {
    OpDef& def = r.Add(e.name)
                     .Aliases(e.aliases)
                     .Param<BroadcastBinaryParam>()
                     .NumInputs(2)
                     .InputNames({"lhs", "rhs"})
                     .InferShape(InferShape);
    // Sharing storage needs equal byte counts, which the planner checks; for a broadcast op
    // that means the input already has the output's shape.
    if (e.type == TypeRule::kNumpy) def.InferType(InferTypeNumpy);
    if (e.type == TypeRule::kTrueDivide) def.InferType(InferTypeTrueDivide);
    if (e.type == TypeRule::kBool) def.InferType(InferTypeBool);
    if (e.type != TypeRule::kBool) def.Inplace({{0, 0}, {1, 0}});
  }
}

}  // namespace mxserve
