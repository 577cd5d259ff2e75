// SPDX-License-Identifier: Apache-2.0
// Broadcasting copies: each op only decides the output shape (MXNet's BroadcastToShape,
// NumpyBroadcastToShape, BroadcastLikeShape, BroadcastAxesShape); the kernels
// (backends/*/broadcast_to.*) repeat the input along every axis of size 1 (BroadcastView).
#include "ops/broadcast_to.h"

#include <string>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::string TupleText(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = p.Out(in[0]);
}

void InferShapeLike(const BroadcastLikeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[1].known()) << "the shape of the second input is unknown";
  out[0] = p.Out(in[0], in[1]);
}

// The output has the first input's dtype; the second input (broadcast_like) only lends its shape.
template <typename P>
void InferTypeFirst(const P&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == in[0])
      << "output dtype " << DTypeName(out[0]) << " differs from input dtype " << DTypeName(in[0]);
  out[0] = in[0];
}

}  // namespace

BroadcastToParam BroadcastToParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BroadcastToParam p;
  p.shape = r.Tuple("shape", {});
  r.Finish();
  return p;
}

Shape BroadcastToParam::Out(const Shape& in) const {
  MXS_CHECK(static_cast<int>(shape.size()) == in.ndim())
      << "an input of shape " << in.ToString() << " cannot be broadcast to " << TupleText(shape);
  std::vector<int64_t> o = shape;
  for (int i = 0; i < in.ndim(); ++i) {
    if (o[i] == 0) {
      o[i] = in[i];
    } else {
      MXS_CHECK(o[i] > 0 && (in[i] == o[i] || in[i] == 1))
          << "an input of shape " << in.ToString() << " cannot be broadcast to "
          << TupleText(shape);
    }
  }
  return Shape(o);
}

NumpyBroadcastToParam NumpyBroadcastToParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyBroadcastToParam p;
  p.shape = r.Tuple("shape", {});
  r.Finish();
  return p;
}

Shape NumpyBroadcastToParam::Out(const Shape& in) const {
  const int nd = static_cast<int>(shape.size());
  MXS_CHECK(in.ndim() <= nd) << "shape " << in.ToString() << " is not broadcastable to "
                             << TupleText(shape);
  std::vector<int64_t> o = shape;
  for (int i = nd - 1; i >= nd - in.ndim(); --i) {
    const int64_t d = in[i - nd + in.ndim()];
    if (o[i] == -2) o[i] = d;
    MXS_CHECK(d == o[i] || d == 1)
        << "shape " << in.ToString() << " is not broadcastable to " << TupleText(shape);
  }
  for (int64_t d : o)
    MXS_CHECK(d >= 0) << "the target shape " << TupleText(shape) << " must be known";
  return Shape(o);
}

BroadcastLikeParam BroadcastLikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BroadcastLikeParam p;
  p.lhs_axes = r.OptTuple("lhs_axes");
  p.rhs_axes = r.OptTuple("rhs_axes");
  r.Finish();
  if (p.lhs_axes && p.rhs_axes) {
    MXS_CHECK(p.lhs_axes->size() == p.rhs_axes->size())
        << "lhs_axes has " << p.lhs_axes->size() << " entries but rhs_axes has "
        << p.rhs_axes->size();
    MXS_CHECK(!p.lhs_axes->empty()) << "lhs_axes and rhs_axes cannot be empty";
  }
  return p;
}

Shape BroadcastLikeParam::Out(const Shape& lhs, const Shape& rhs) const {
  if (!lhs_axes || !rhs_axes) {
    MXS_CHECK(lhs.ndim() == rhs.ndim())
        << "an input of shape " << lhs.ToString() << " cannot be broadcast to " << rhs.ToString();
    for (int i = 0; i < lhs.ndim(); ++i)
      MXS_CHECK(lhs[i] == rhs[i] || lhs[i] == 1)
          << "an input of shape " << lhs.ToString() << " cannot be broadcast to " << rhs.ToString();
    return rhs;
  }
  std::vector<int64_t> o = lhs.dims();
  for (size_t i = 0; i < lhs_axes->size(); ++i) {
    const int64_t a = (*lhs_axes)[i], b = (*rhs_axes)[i];
    const int64_t from = a < 0 ? a + lhs.ndim() : a;
    const int64_t to = b < 0 ? b + rhs.ndim() : b;
    MXS_CHECK(from >= 0 && from < lhs.ndim())
        << "lhs_axes: axis " << a << " is out of bounds for " << lhs.ndim() << " axes";
    MXS_CHECK(to >= 0 && to < rhs.ndim())
        << "rhs_axes: axis " << b << " is out of bounds for " << rhs.ndim() << " axes";
    MXS_CHECK(lhs[from] == 1) << "axis " << a << " of the input " << lhs.ToString() << " has size "
                              << lhs[from] << ", only size 1 can be broadcast";
    o[from] = rhs[to];
  }
  return Shape(o);
}

BroadcastAxisParam BroadcastAxisParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BroadcastAxisParam p;
  p.axis = r.Tuple("axis", {});
  p.size = r.Tuple("size", {});
  r.Finish();
  MXS_CHECK(p.axis.size() == p.size.size())
      << "axis has " << p.axis.size() << " entries but size has " << p.size.size();
  for (int64_t s : p.size) MXS_CHECK(s >= 0) << "attribute 'size': " << s << " is negative";
  return p;
}

Shape BroadcastAxisParam::Out(const Shape& in) const {
  std::vector<int64_t> o = in.dims();
  for (size_t i = 0; i < axis.size(); ++i) {
    MXS_CHECK(axis[i] >= 0 && axis[i] < in.ndim())
        << "axis " << axis[i] << " must be in [0, " << in.ndim() << ")";
    MXS_CHECK(in[axis[i]] == 1) << "axis " << axis[i] << " of the input " << in.ToString()
                                << " has size " << in[axis[i]] << ", only size 1 can be broadcast";
    o[axis[i]] = size[i];
  }
  return Shape(o);
}

StridedView BroadcastView(const Shape& in, const Shape& out) {
  const int nd = out.ndim();
  const int pad = nd - in.ndim();
  std::vector<int64_t> in_dims(nd, 1);
  for (int i = 0; i < in.ndim(); ++i) in_dims[pad + i] = in[i];
  const std::vector<int64_t> st = RowMajorStrides(in_dims);
  StridedView v{out.dims(), {}, 0};
  for (int i = 0; i < nd; ++i) v.strides.push_back(in_dims[i] == 1 ? 0 : st[i]);
  return v;
}

MXS_REGISTER_OPS(broadcast_to) {
  r.Add("broadcast_to")
      .Param<BroadcastToParam>()
      .NumInputs(1)
      .InferShape(InferShape<BroadcastToParam>);
  r.Add("_npi_broadcast_to")
      .Param<NumpyBroadcastToParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"array"})
      .InferShape(InferShape<NumpyBroadcastToParam>);
  r.Add("broadcast_like")
      .Aliases({"_npx_broadcast_like"})
      .Param<BroadcastLikeParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"lhs", "rhs"})
      .InferShape(InferShapeLike)
      .InferType(InferTypeFirst<BroadcastLikeParam>);
  r.Add("broadcast_axis")
      .Aliases({"broadcast_axes"})
      .Param<BroadcastAxisParam>()
      .NumInputs(1)
      .InferShape(InferShape<BroadcastAxisParam>);
}

}  // namespace mxserve
