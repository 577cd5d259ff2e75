// SPDX-License-Identifier: Apache-2.0
// where selects x where the condition is non-zero and y elsewhere. The 1.x operator needs x and
// y of one shape and a condition of that shape or 1-D along axis 0; the numpy forms broadcast all
// operands. The condition may have any dtype; x, y and the output share one.
#include "ops/where.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

void InferShapeWhere(const WhereParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[1] == in[2]) << "x " << in[1].ToString() << " and y " << in[2].ToString()
                            << " must have the same shape";
  const Shape& c = in[0];
  if (c.ndim() == in[1].ndim()) {
    MXS_CHECK(c == in[1]) << "the condition " << c.ToString() << " must have the shape of x "
                          << in[1].ToString() << " or be 1-D";
  } else {
    MXS_CHECK(c.ndim() == 1 && in[1].ndim() > 0 && c[0] == in[1][0])
        << "a condition of shape " << c.ToString() << " must match x " << in[1].ToString()
        << " or be 1-D with the size of its first axis";
  }
  out[0] = in[1];
}

// numpy broadcasting of any number of shapes.
Shape BroadcastShapes(const std::vector<Shape>& shapes) {
  int nd = 0;
  for (const Shape& s : shapes) nd = std::max(nd, s.ndim());
  std::vector<int64_t> o(nd, 1);
  for (int i = 0; i < nd; ++i) {
    for (const Shape& s : shapes) {
      const int j = i - nd + s.ndim();
      if (j < 0 || s[j] == 1) continue;
      MXS_CHECK(o[i] == 1 || o[i] == s[j]) << "operands could not be broadcast together";
      o[i] = s[j];
    }
  }
  return Shape(o);
}

template <typename P>
void InferShapeBroadcast(const P&, std::vector<Shape>& in, std::vector<Shape>& out) {
  std::string text;
  for (const Shape& s : in) text += (text.empty() ? "" : ", ") + s.ToString();
  try {
    out[0] = BroadcastShapes(in);
  } catch (const Error&) {
    MXS_THROW(kInvalidArgument) << "operands of shapes " << text
                                << " could not be broadcast together";
  }
}

void InferShapeScalar2(const WhereScalar2Param&, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = in[0];
}

// Inputs 1.. and the output share one dtype; the condition's is free.
template <typename P>
void InferTypeValues(const P&, std::vector<DType>& in, std::vector<DType>& out) {
  std::vector<DType> values(in.begin() + 1, in.end());
  InferTypeSame(values, out);
  std::copy(values.begin(), values.end(), in.begin() + 1);
}

void InferTypeScalar2(const WhereScalar2Param&, std::vector<DType>&, std::vector<DType>& out) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == DType::kFloat32)
      << "output dtype " << DTypeName(out[0]) << " is not float32";
  out[0] = DType::kFloat32;
}

}  // namespace

WhereParam WhereParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return WhereParam{};
}

WhereScalarParam WhereScalarParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  WhereScalarParam p;
  p.scalar = r.Float("scalar", 0.0);
  r.Finish();
  return p;
}

WhereScalar2Param WhereScalar2Param::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  WhereScalar2Param p;
  p.x = r.Float("x", 0.0);
  p.y = r.Float("y", 0.0);
  r.Finish();
  return p;
}

MXS_REGISTER_OPS(where) {
  const std::vector<std::string> names{"condition", "x", "y"};
  r.Add("where")
      .Param<WhereParam>()
      .NumInputs(3)
      .InputNames(names)
      .InferShape(InferShapeWhere)
      .InferType(InferTypeValues<WhereParam>);
  r.Add("_npi_where")
      .Param<WhereParam>()
      .NumInputs(3)
      .InputNames(names)
      .InferShape(InferShapeBroadcast<WhereParam>)
      .InferType(InferTypeValues<WhereParam>);
  r.Add("_npi_where_lscalar")
      .Param<WhereScalarParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"condition", "x"})
      .InferShape(InferShapeBroadcast<WhereScalarParam>)
      .InferType(InferTypeValues<WhereScalarParam>);
  r.Add("_npi_where_rscalar")
      .Param<WhereScalarParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"condition", "y"})
      .InferShape(InferShapeBroadcast<WhereScalarParam>)
      .InferType(InferTypeValues<WhereScalarParam>);
  r.Add("_npi_where_scalar2")
      .Param<WhereScalar2Param>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"condition"})
      .InferShape(InferShapeScalar2)
      .InferType(InferTypeScalar2);
}

}  // namespace mxserve
