// SPDX-License-Identifier: Apache-2.0
// Cast converts every element to `dtype` (C++ static_cast semantics: floats truncate toward zero
// when converted to integers, any non-zero value becomes true). amp_cast casts only floating-point
// inputs and passes every other dtype through unchanged (MXNet AMPCastType).
#include "ops/cast.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

CastParam CastParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  CastParam p;
  std::string name = r.String("dtype");
  p.dtype = DTypeFromName(name);
  MXS_CHECK(p.dtype != DType::kUnknown) << "dtype '" << name << "' is not a known dtype";
  r.Finish();
  return p;
}

namespace {

void InferShape(const CastParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
  MXS_CHECK(in[0] == out[0]) << "output has shape " << out[0].ToString() << ", input "
                             << in[0].ToString();
}

void SetOut(std::vector<DType>& out, DType t) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the cast dtype " << DTypeName(t);
  out[0] = t;
}

void InferTypeCast(const CastParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  (void)in;
  SetOut(out, p.dtype);
}

void InferTypeAmpCast(const CastParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  SetOut(out, IsFloatingPoint(in[0]) && in[0] != DType::kFloat64 ? p.dtype : in[0]);
}

}  // namespace

MXS_REGISTER_OPS(cast) {
  r.Add("Cast")
      .Aliases({"cast", "_npi_cast", "_npx_cast"})
      .Param<CastParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .InferType(InferTypeCast);
  r.Add("amp_cast")
      .Aliases({"_npi_amp_cast"})
      .Param<CastParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .InferType(InferTypeAmpCast);
}

}  // namespace mxserve
