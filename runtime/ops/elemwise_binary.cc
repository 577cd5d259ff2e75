// SPDX-License-Identifier: Apache-2.0
// Same-shape binary ops: elemwise_add/sub/mul/div, _maximum/_minimum/_power, the 1.x
// element-wise comparisons and add_n. MXNet requires equal shapes here (broadcasting is the job
// of broadcast_*), so a mismatch is an error naming both shapes.
#include "ops/elemwise_binary.h"

#include <utility>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

bool IsLogicFn(BinaryFn fn) {
  return fn >= BinaryFn::kEqual;
}

ElemwiseBinaryParam ElemwiseBinaryParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

AddNParam AddNParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  AddNParam p;
  p.num_args = static_cast<int>(r.Int("num_args"));
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  r.Finish();
  return p;
}

namespace {

struct ElemwiseOp {
  const char* name;                  ///< canonical MXNet name
  BinaryFn fn;                       ///< what it computes
  std::vector<std::string> aliases;  ///< MXNet add_alias names
};

const std::vector<ElemwiseOp>& ElemwiseOps() {
  static const std::vector<ElemwiseOp> ops{
      {"elemwise_add", BinaryFn::kAdd, {"_add", "_plus", "_Plus", "_grad_add"}},
      {"elemwise_sub", BinaryFn::kSub, {"_sub", "_minus", "_Minus"}},
      {"elemwise_mul", BinaryFn::kMul, {"_mul", "_Mul"}},
      {"elemwise_div", BinaryFn::kDiv, {"_div", "_Div"}},
      {"_power", BinaryFn::kPow, {"_Power"}},
      {"_maximum", BinaryFn::kMax, {"_Maximum"}},
      {"_minimum", BinaryFn::kMin, {"_Minimum"}},
      {"_mod", BinaryFn::kMod, {"_Mod"}},
      {"_hypot", BinaryFn::kHypot, {"_Hypot"}},
      {"_equal", BinaryFn::kEqual, {"_Equal"}},
      {"_not_equal", BinaryFn::kNotEqual, {"_Not_Equal"}},
      {"_greater", BinaryFn::kGreater, {"_Greater"}},
      {"_greater_equal", BinaryFn::kGreaterEqual, {"_Greater_Equal"}},
      {"_lesser", BinaryFn::kLesser, {"_Lesser"}},
      {"_lesser_equal", BinaryFn::kLesserEqual, {"_Lesser_Equal"}},
      {"_logical_and", BinaryFn::kLogicalAnd, {"_Logical_And"}},
      {"_logical_or", BinaryFn::kLogicalOr, {"_Logical_Or"}},
      {"_logical_xor", BinaryFn::kLogicalXor, {"_Logical_Xor"}},
  };
  return ops;
}

// Every input and the output share one shape; unknown ones are filled from any known one.
void InferSameShape(std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape* ref = out[0].known() ? &out[0] : nullptr;
  int ref_index = -1;
  for (size_t i = 0; i < in.size() && !ref; ++i)
    if (in[i].known()) ref = &in[i], ref_index = static_cast<int>(i);
  if (!ref) return;
  const Shape s = *ref;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i].known()) in[i] = s;
    MXS_CHECK(in[i] == s) << "all inputs must have the same shape, but input " << i << " has shape "
                          << in[i].ToString() << " and "
                          << (ref_index >= 0 ? "input " + std::to_string(ref_index) : std::string("the output"))
                          << " has shape " << s.ToString();
  }
  if (!out[0].known()) out[0] = s;
}

void InferShapeBinary(const ElemwiseBinaryParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  InferSameShape(in, out);
}

void InferShapeAddN(const AddNParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  InferSameShape(in, out);
}

void InferTypeAddN(const AddNParam&, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeSame(in, out);
}

}  // namespace

std::vector<std::string> ElemwiseBinaryOpNames() {
  std::vector<std::string> names;
  for (const auto& e : ElemwiseOps()) names.push_back(e.name);
  return names;
}

BinaryFn ElemwiseBinaryFnOf(const std::string& op) {
  for (const auto& e : ElemwiseOps())
    if (op == e.name) return e.fn;
  MXS_THROW(kInternal) << op << " is not a same-shape binary operator";
}

MXS_REGISTER_OPS(elemwise_binary) {
  for (const auto& e : ElemwiseOps()) {
    r.Add(e.name)
        .Aliases(e.aliases)
        .Param<ElemwiseBinaryParam>()
        .NumInputs(2)
        .InputNames({"lhs", "rhs"})
        .InferShape(InferShapeBinary)
        .Inplace({{0, 0}, {1, 0}});
  }
  r.Add("add_n")
      .Aliases({"ElementWiseSum", "_npx_add_n"})
      .Param<AddNParam>()
      .NumInputs<AddNParam>([](const AddNParam& p) { return p.num_args; })
      .InputNames<AddNParam>([](const AddNParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferShapeAddN)
      .InferType(InferTypeAddN)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
