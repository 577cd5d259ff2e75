// SPDX-License-Identifier: Apache-2.0
// reverse: same shape and dtype as the input. MXNet reverses once per listed axis, so an axis
// listed an even number of times is left as it is; negative axes are not accepted (MXNet
// indexes the shape with them unchecked).
#include "ops/reverse.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ReverseParam ReverseParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ReverseParam p;
  p.axis = r.Tuple("axis");
  r.Finish();
  for (int64_t a : p.axis)
    MXS_CHECK(a >= 0) << "axis " << a << " is negative; reverse takes axes in [0, ndim)";
  return p;
}

std::vector<bool> ReverseParam::Flipped(int ndim) const {
  std::vector<bool> f(ndim, false);
  for (int64_t a : axis) {
    MXS_CHECK(a < ndim) << "axis " << a << " is out of bounds for " << ndim << " axes";
    f[a] = !f[a];
  }
  return f;
}

StridedView ReverseParam::View(const Shape& in) const {
  const std::vector<bool> flipped = Flipped(in.ndim());
  StridedView v = RowMajorView(in.dims());
  for (int i = 0; i < in.ndim(); ++i) {
    if (!flipped[i] || in[i] == 0) continue;
    v.offset += (in[i] - 1) * v.strides[i];
    v.strides[i] = -v.strides[i];
  }
  return v;
}

namespace {

void InferShape(const ReverseParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  p.Flipped(in[0].ndim());
  out[0] = in[0];
}

}  // namespace

MXS_REGISTER_OPS(reverse) {
  r.Add("reverse").Aliases({"flip"}).Param<ReverseParam>().NumInputs(1).InferShape(InferShape);
}

}  // namespace mxserve
