// SPDX-License-Identifier: Apache-2.0
// _npi_matmul. Operands of one axis are promoted to matrices as numpy does (a row vector on the
// left, a column vector on the right) and the added axis is dropped from the result; every axis
// before the last two is a batch axis, broadcast between the operands.
#include "ops/matmul.h"

#include <algorithm>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

MatmulParam MatmulParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

MatmulGeometry MatmulShapes(const Shape& a, const Shape& b) {
  MXS_CHECK(a.ndim() > 0 && b.ndim() > 0) << "matmul of a scalar is not allowed (shapes "
                                          << a.ToString() << " and " << b.ToString() << ")";
  std::vector<int64_t> ad = a.dims(), bd = b.dims();
  if (ad.size() == 1) ad.insert(ad.begin(), 1);
  if (bd.size() == 1) bd.push_back(1);
  const int64_t k = ad.back();
  MXS_CHECK(bd[bd.size() - 2] == k)
      << "shapes " << a.ToString() << " and " << b.ToString() << " are not aligned: " << k
      << " (last axis of the first) != " << bd[bd.size() - 2]
      << " (second-to-last axis of the second)";
  const size_t nd = std::max(ad.size(), bd.size());
  ad.insert(ad.begin(), nd - ad.size(), 1);
  bd.insert(bd.begin(), nd - bd.size(), 1);
  MatmulGeometry g;
  g.a_dims = ad;
  g.b_dims = bd;
  g.c_dims.resize(nd);
  for (size_t i = 0; i + 2 < nd; ++i) {
    MXS_CHECK(ad[i] == bd[i] || ad[i] == 1 || bd[i] == 1)
        << "batch axes of shapes " << a.ToString() << " and " << b.ToString()
        << " cannot be broadcast together";
    g.c_dims[i] = ad[i] == 1 ? bd[i] : ad[i];
  }
  g.c_dims[nd - 2] = ad[nd - 2];
  g.c_dims[nd - 1] = bd[nd - 1];
  std::vector<int64_t> out(g.c_dims.begin(), g.c_dims.end() - 2);
  if (a.ndim() > 1) out.push_back(g.c_dims[nd - 2]);
  if (b.ndim() > 1) out.push_back(g.c_dims[nd - 1]);
  g.out = Shape(out);
  return g;
}

namespace {

void InferShape(const MatmulParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[1].known()) << "input shapes are unknown";
  out[0] = MatmulShapes(in[0], in[1]).out;
}

}  // namespace

MXS_REGISTER_OPS(matmul) {
  r.Add("_npi_matmul")
      .Param<MatmulParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"a", "b"})
      .InferShape(InferShape);
}

}  // namespace mxserve
