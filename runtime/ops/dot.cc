// SPDX-License-Identifier: Apache-2.0
// dot (N-D inputs folded to matrices as MXNet's DotShape does, 1-D x 1-D giving shape (1,)) and
// batch_dot (_npx_batch_dot). forward_stype only selects sparse outputs and is ignored.
#include "ops/dot.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

DotParam DotParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  DotParam p;
  p.transpose_a = r.Bool("transpose_a", false);
  p.transpose_b = r.Bool("transpose_b", false);
  r.Ignore({"forward_stype"});
  r.Finish();
  return p;
}

DotDims DotShapeOf(const DotParam& p, const Shape& lhs, const Shape& rhs) {
  MXS_CHECK(lhs.ndim() > 0 && rhs.ndim() > 0) << "scalar inputs are not supported, got " << lhs.ToString()
                                              << " and " << rhs.ToString();
  DotDims d;
  const int nl = lhs.ndim(), nr = rhs.ndim();
  if (nl == 1 && nr == 1) {
    MXS_CHECK(!p.transpose_a && !p.transpose_b) << "vectors cannot be transposed";
    MXS_CHECK(lhs[0] == rhs[0]) << "shape mismatch: " << lhs.ToString() << " x " << rhs.ToString();
    d.k = lhs[0];
    d.out = Shape{1};
    return d;
  }
  std::vector<int64_t> o;
  if (p.transpose_a) {
    d.k = lhs[0];
    d.m = ShapeProduct(lhs, 1, nl);
    if (nl > 1) o.insert(o.end(), lhs.dims().begin() + 1, lhs.dims().end());
  } else {
    d.k = lhs[nl - 1];
    d.m = ShapeProduct(lhs, 0, nl - 1);
    if (nl > 1) o.insert(o.end(), lhs.dims().begin(), lhs.dims().end() - 1);
  }
  int64_t k_rhs;
  if (p.transpose_b) {
    k_rhs = rhs[nr - 1];
    d.n = ShapeProduct(rhs, 0, nr - 1);
    if (nr > 1) o.insert(o.end(), rhs.dims().begin(), rhs.dims().end() - 1);
  } else {
    k_rhs = rhs[0];
    d.n = ShapeProduct(rhs, 1, nr);
    if (nr > 1) o.insert(o.end(), rhs.dims().begin() + 1, rhs.dims().end());
  }
  MXS_CHECK(d.k == k_rhs || d.k == 0 || k_rhs == 0)
      << "shape mismatch: " << lhs.ToString() << " x " << rhs.ToString() << " (transpose_a=" << p.transpose_a
      << ", transpose_b=" << p.transpose_b << ")";
  d.out = Shape(o);
  return d;
}

DotDims BatchDotShapeOf(const DotParam& p, const Shape& lhs, const Shape& rhs) {
  const int nd = lhs.ndim();
  MXS_CHECK(nd >= 3 && rhs.ndim() == nd) << "batch_dot needs two inputs of the same rank >= 3, got "
                                         << lhs.ToString() << " and " << rhs.ToString();
  DotDims d;
  std::vector<int64_t> o;
  for (int i = 0; i < nd - 2; ++i) {
    MXS_CHECK(lhs[i] == rhs[i]) << "the leading batch dims must be equal, got " << lhs.ToString() << " x "
                                << rhs.ToString();
    o.push_back(lhs[i]);
  }
  d.batch = ShapeProduct(lhs, 0, nd - 2);
  d.m = p.transpose_a ? lhs[nd - 1] : lhs[nd - 2];
  d.k = p.transpose_a ? lhs[nd - 2] : lhs[nd - 1];
  d.n = p.transpose_b ? rhs[nd - 2] : rhs[nd - 1];
  const int64_t k_rhs = p.transpose_b ? rhs[nd - 1] : rhs[nd - 2];
  MXS_CHECK(d.k == k_rhs) << "shape mismatch: " << lhs.ToString() << " x " << rhs.ToString()
                          << " (transpose_a=" << p.transpose_a << ", transpose_b=" << p.transpose_b << ")";
  o.push_back(d.m);
  o.push_back(d.n);
  d.out = Shape(o);
  return d;
}

namespace {

void InferDot(const DotParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  out[0] = DotShapeOf(p, in[0], in[1]).out;
}

void InferBatchDot(const DotParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  out[0] = BatchDotShapeOf(p, in[0], in[1]).out;
}

}  // namespace

MXS_REGISTER_OPS(dot) {
  r.Add("dot").Param<DotParam>().NumInputs(2).InputNames({"lhs", "rhs"}).InferShape(InferDot);
  r.Add("batch_dot")
      .Aliases({"_npx_batch_dot"})
      .Param<DotParam>()
      .NumInputs(2)
      .InputNames({"lhs", "rhs"})
      .InferShape(InferBatchDot);
}

}  // namespace mxserve
