// SPDX-License-Identifier: Apache-2.0
// reshape_like: an identity op (the planner aliases the output to lhs); rhs gives only its
// shape. The output keeps lhs's dtype whatever rhs's is.
#include "ops/reshape_like.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ReshapeLikeParam ReshapeLikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ReshapeLikeParam p;
  p.lhs_begin = r.OptInt("lhs_begin");
  p.lhs_end = r.OptInt("lhs_end");
  p.rhs_begin = r.OptInt("rhs_begin");
  p.rhs_end = r.OptInt("rhs_end");
  r.Finish();
  return p;
}

namespace {

// [begin, end) of one side with MXNet's defaults and negative indices resolved.
void Range(const char* side, int ndim, const std::optional<int64_t>& begin,
           const std::optional<int64_t>& end, int64_t* b, int64_t* e) {
  *b = begin.value_or(0);
  if (*b < 0) *b += ndim;
  *e = end.value_or(ndim);
  if (end && *e < 0) *e += ndim;
  MXS_CHECK(*e <= ndim) << side << "_end=" << *end << " is past the " << ndim << " dimensions of "
                        << side;
  MXS_CHECK(*b < *e) << side << "_begin=" << (begin ? std::to_string(*begin) : std::string("None"))
                     << " must come before " << side
                     << "_end=" << (end ? std::to_string(*end) : std::string("None"));
  MXS_CHECK(*e >= 0 && *b >= 0) << "invalid " << side << " range for " << ndim << " dimensions";
}

void InferShape(const ReshapeLikeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  const Shape& l = in[0];
  const Shape& r = in[1];
  int64_t lb, le, rb, re;
  Range("lhs", l.ndim(), p.lhs_begin, p.lhs_end, &lb, &le);
  Range("rhs", r.ndim(), p.rhs_begin, p.rhs_end, &rb, &re);
  std::vector<int64_t> o(l.dims().begin(), l.dims().begin() + lb);
  o.insert(o.end(), r.dims().begin() + rb, r.dims().begin() + re);
  o.insert(o.end(), l.dims().begin() + le, l.dims().end());
  Shape s(o);
  MXS_CHECK(s.Size() == l.Size()) << "cannot reshape lhs " << l.ToString() << " to " << s.ToString()
                                  << ": the sizes differ";
  out[0] = s;
}

void InferType(const ReshapeLikeParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = out[0];
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == in[0])
      << "output dtype " << DTypeName(out[0]) << " differs from lhs's " << DTypeName(in[0]);
  out[0] = in[0];
}

}  // namespace

MXS_REGISTER_OPS(reshape_like) {
  r.Add("reshape_like")
      .Aliases({"_npx_reshape_like"})
      .Param<ReshapeLikeParam>()
      .NumInputs(2)
      .InputNames({"lhs", "rhs"})
      .InferShape(InferShape)
      .InferType(InferType)
      .Identity();
}

}  // namespace mxserve
