// SPDX-License-Identifier: Apache-2.0
// MXNet 2.0 numpy element-wise ops. Shapes broadcast as in broadcast_binary. Dtypes: the
// broadcasting ops take two inputs of one dtype (numpy promotion of mixed dtypes is not
// implemented); logical_* give bool; bitwise_* accept integers and bool only, gcd and lcm
// integers only; hypot and arctan2 accept floating point only (MXNet rejects integers). The
// _scalar forms follow NumpyBinaryScalarType (scalar_binary.h) except logical_*_scalar (bool)
// and the bitwise, gcd and lcm ones (ElemwiseIntType: the input's integer dtype).
#include "ops/np_elemwise.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/broadcast_binary.h"
#include "ops/registry.h"
#include "ops/scalar_binary.h"

namespace mxserve {

namespace {

struct NpOp {
  const char* name;                       ///< canonical MXNet name
  NpFn fn;                                ///< what it computes
  NpArity arity;                          ///< how it takes its operands
  std::vector<std::string> aliases = {};  ///< MXNet add_alias names
};

const std::vector<NpOp>& NpOps() {
  using F = NpFn;
  using A = NpArity;
  static const std::vector<NpOp> ops{
      {"_npi_floor_divide", F::kFloorDivide, A::kBroadcast},
      {"_npi_floor_divide_scalar", F::kFloorDivide, A::kScalar},
      {"_npi_rfloor_divide_scalar", F::kFloorDivide, A::kReverseScalar},
      {"_npi_mod_scalar", F::kMod, A::kScalar},
      {"_npi_rmod_scalar", F::kMod, A::kReverseScalar},
      {"_npi_fmod", F::kFmod, A::kBroadcast},
      {"_npi_fmod_scalar", F::kFmod, A::kScalar},
      {"_npi_rfmod_scalar", F::kFmod, A::kReverseScalar},
      {"_npi_hypot", F::kHypot, A::kBroadcast},
      {"_npi_copysign", F::kCopysign, A::kBroadcast},
      {"_npi_copysign_scalar", F::kCopysign, A::kScalar},
      {"_npi_rcopysign_scalar", F::kCopysign, A::kReverseScalar},
      {"_npi_arctan2", F::kArctan2, A::kBroadcast},
      {"_npi_arctan2_scalar", F::kArctan2, A::kScalar},
      {"_npi_rarctan2_scalar", F::kArctan2, A::kReverseScalar},
      {"_npi_fmax", F::kFmax, A::kBroadcast},
      {"_npi_fmax_scalar", F::kFmax, A::kScalar},
      {"_npi_fmin", F::kFmin, A::kBroadcast},
      {"_npi_fmin_scalar", F::kFmin, A::kScalar},
      {"_npi_logical_and", F::kLogicalAnd, A::kBroadcast},
      {"_npi_logical_and_scalar", F::kLogicalAnd, A::kScalar},
      {"_npi_logical_or", F::kLogicalOr, A::kBroadcast},
      {"_npi_logical_or_scalar", F::kLogicalOr, A::kScalar},
      {"_npi_logical_xor", F::kLogicalXor, A::kBroadcast},
      {"_npi_logical_xor_scalar", F::kLogicalXor, A::kScalar},
      {"_npi_bitwise_and", F::kBitwiseAnd, A::kBroadcast},
      {"_npi_bitwise_and_scalar", F::kBitwiseAnd, A::kScalar},
      {"_npi_bitwise_or", F::kBitwiseOr, A::kBroadcast},
      {"_npi_bitwise_or_scalar", F::kBitwiseOr, A::kScalar},
      {"_npi_bitwise_xor", F::kBitwiseXor, A::kBroadcast},
      {"_npi_bitwise_xor_scalar", F::kBitwiseXor, A::kScalar},
      {"_npi_bitwise_not", F::kBitwiseNot, A::kUnary},
      {"_npi_ldexp", F::kLdexp, A::kBroadcast},
      {"_npi_ldexp_scalar", F::kLdexp, A::kScalar},
      {"_npi_rldexp_scalar", F::kLdexp, A::kReverseScalar},
      {"_npi_gcd", F::kGcd, A::kBroadcast},
      {"_npi_gcd_scalar", F::kGcd, A::kScalar},
      {"_npi_lcm", F::kLcm, A::kBroadcast},
      {"_npi_lcm_scalar", F::kLcm, A::kScalar},
  };
  return ops;
}

const NpOp& Find(const std::string& name) {
  for (const auto& e : NpOps())
    if (name == e.name) return e;
  MXS_THROW(kInternal) << name << " is not a numpy element-wise operator";
}

bool IsInteger(DType t) { return t != DType::kBool && !IsFloatingPoint(t); }

void SetOut(std::vector<DType>& out, DType t) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the expected " << DTypeName(t);
  out[0] = t;
}

// Dtype restrictions of `fn` on input dtype `t`.
void CheckInputType(NpFn fn, DType t) {
  if (NpFnIsBitwise(fn) || fn == NpFn::kBitwiseNot) {
    MXS_CHECK(IsInteger(t) || t == DType::kBool)
        << "bitwise operators take integer or bool inputs, got " << DTypeName(t);
  }
  if (NpFnIsIntegerOnly(fn)) {
    MXS_CHECK(IsInteger(t)) << "this operator takes integer inputs, got " << DTypeName(t);
  }
  if (fn == NpFn::kHypot || fn == NpFn::kArctan2) {
    MXS_CHECK(IsFloatingPoint(t)) << "this operator takes floating-point inputs, got "
                                  << DTypeName(t);
  }
}

template <NpFn F>
void InferTypeBroadcast(const NpElemwiseParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = in[1];
  if (in[1] == DType::kUnknown) in[1] = in[0];
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK_CODE(in[0] == in[1], kUnsupported)
      << "inputs of different dtypes (" << DTypeName(in[0]) << " and " << DTypeName(in[1])
      << ") need numpy type promotion, which is not implemented";
  CheckInputType(F, in[0]);
  SetOut(out, NpFnIsLogical(F) ? DType::kBool : in[0]);
}

template <NpFn F>
void InferTypeScalar(const ScalarBinaryParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  const DType t = in[0];
  if (t == DType::kUnknown) return;
  CheckInputType(F, t);
  if (NpFnIsLogical(F)) return SetOut(out, DType::kBool);
  if (NpFnIsBitwise(F) || NpFnIsIntegerOnly(F)) return SetOut(out, t);
  DType o = t;
  if (IsInteger(t) && !p.is_int) o = DType::kFloat64;
  if (t == DType::kBool) o = p.is_int ? DType::kInt64 : DType::kFloat64;
  SetOut(out, o);
}

void InferTypeUnary(const NpElemwiseParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = out[0];
  if (in[0] == DType::kUnknown) return;
  CheckInputType(NpFn::kBitwiseNot, in[0]);
  SetOut(out, in[0]);
}

void InferShapeBroadcast(const NpElemwiseParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  out[0] = BroadcastShapes(in[0], in[1]);
}

template <typename P>
void InferShapeSame(const P&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
  MXS_CHECK(in[0] == out[0]) << "output has shape " << out[0].ToString() << ", input "
                             << in[0].ToString();
}

template <NpFn F>
void Register(OpRegistry& r, const NpOp& e) {
  if (e.arity == NpArity::kBroadcast) {
    r.Add(e.name)
        .Param<NpElemwiseParam>()
        .NumInputs(2)
        .InputNames({"lhs", "rhs"})
        .InferShape(InferShapeBroadcast)
        .InferType(InferTypeBroadcast<F>);
  } else if (e.arity == NpArity::kUnary) {
    r.Add(e.name)
        .Param<NpElemwiseParam>()
        .NumInputs(1)
        .InputNames(std::vector<std::string>{"x"})
        .InferShape(InferShapeSame<NpElemwiseParam>)
        .InferType(InferTypeUnary)
        .Inplace({{0, 0}});
  } else {
    r.Add(e.name)
        .Aliases(e.aliases)
        .Param<ScalarBinaryParam>()
        .NumInputs(1)
        .InferShape(InferShapeSame<ScalarBinaryParam>)
        .InferType(InferTypeScalar<F>);
  }
}

}  // namespace

NpElemwiseParam NpElemwiseParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

bool NpFnIsLogical(NpFn fn) {
  return fn == NpFn::kLogicalAnd || fn == NpFn::kLogicalOr || fn == NpFn::kLogicalXor;
}

bool NpFnIsIntegerOnly(NpFn fn) { return fn == NpFn::kGcd || fn == NpFn::kLcm; }

bool NpFnIsBitwise(NpFn fn) {
  return fn == NpFn::kBitwiseAnd || fn == NpFn::kBitwiseOr || fn == NpFn::kBitwiseXor;
}

void NpElemwiseOf(const std::string& op, NpFn* fn, NpArity* arity) {
  const NpOp& e = Find(op);
  *fn = e.fn;
  *arity = e.arity;
}

std::vector<std::string> NpElemwiseOpNames() {
  std::vector<std::string> names;
  for (const auto& e : NpOps()) names.push_back(e.name);
  return names;
}

MXS_REGISTER_OPS(np_elemwise) {
  for (const auto& e : NpOps()) {
    switch (e.fn) {
#define MXS_NP_CASE(F)       \
  case NpFn::F:              \
    Register<NpFn::F>(r, e); \
    break;
      MXS_NP_CASE(kMod)
      MXS_NP_CASE(kFloorDivide)
      MXS_NP_CASE(kFmod)
      MXS_NP_CASE(kHypot)
      MXS_NP_CASE(kCopysign)
      MXS_NP_CASE(kArctan2)
      MXS_NP_CASE(kFmax)
      MXS_NP_CASE(kFmin)
      MXS_NP_CASE(kLogicalAnd)
      MXS_NP_CASE(kLogicalOr)
      MXS_NP_CASE(kLogicalXor)
      MXS_NP_CASE(kBitwiseAnd)
      MXS_NP_CASE(kBitwiseOr)
      MXS_NP_CASE(kBitwiseXor)
      MXS_NP_CASE(kBitwiseNot)
      MXS_NP_CASE(kLdexp)
      MXS_NP_CASE(kGcd)
      MXS_NP_CASE(kLcm)
#undef MXS_NP_CASE
    }
  }
}

}  // namespace mxserve
