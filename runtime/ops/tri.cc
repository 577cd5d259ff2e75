// SPDX-License-Identifier: Apache-2.0
// Triangles and diagonals. tril keeps the elements with col <= row + k and triu those with
// col >= row + k, zeroing the rest; both work on the last two axes and turn a 1-D input into a
// square matrix first. diag extracts a diagonal of a matrix or builds a matrix from a vector.
#include "ops/tri.h"

#include <algorithm>
#include <cstdlib>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

TriParam TriParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  TriParam p;
  p.k = r.Int("k", 0);
  r.Finish();
  return p;
}

Shape TriShape(const Shape& in) {
  MXS_CHECK(in.ndim() >= 1) << "the input needs at least one axis, got shape " << in.ToString();
  if (in.ndim() == 1) return Shape{in[0], in[0]};
  return in;
}

Shape DiagShape(const Shape& in, int64_t k) {
  MXS_CHECK(in.ndim() == 1 || in.ndim() == 2)
      << "the input must be 1-D or 2-D, got shape " << in.ToString();
  if (in.ndim() == 1) {
    const int64_t s = in[0] + std::abs(k);
    return Shape{s, s};
  }
  int64_t h = in[0], w = in[1];
  if (k > 0) w -= k;
  if (k < 0) h += k;
  return Shape{std::max<int64_t>(std::min(h, w), 0)};
}

namespace {

void InferTri(const TriParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  out[0] = TriShape(in[0]);
}

void InferDiag(const TriParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  out[0] = DiagShape(in[0], p.k);
}

}  // namespace

MXS_REGISTER_OPS(tri) {
  for (const char* name : {"_npi_tril", "_npi_triu"}) {
    r.Add(name).Param<TriParam>().NumInputs(1).InferShape(InferTri);
  }
  r.Add("_npi_diag").Param<TriParam>().NumInputs(1).InferShape(InferDiag);
}

}  // namespace mxserve
