// SPDX-License-Identifier: Apache-2.0
// tile and repeat: shape rules. The kernels (backends/cpu_onednn/tile.cc) read the input
// through zero strides for the repetitions.
#include "ops/tile.h"

#include <algorithm>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

TileParam TileParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  TileParam p;
  p.reps = r.Tuple("reps");
  r.Finish();
  for (int64_t v : p.reps) MXS_CHECK(v >= 0) << "reps must not be negative, got " << v;
  return p;
}

Shape TileParam::OutShape(const Shape& in) const {
  if (reps.empty()) return in;
  const int nd = std::max(in.ndim(), static_cast<int>(reps.size()));
  std::vector<int64_t> o(nd);
  for (int i = 0; i < nd; ++i) {
    const int ii = i - (nd - in.ndim()), ir = i - (nd - static_cast<int>(reps.size()));
    o[i] = (ii >= 0 ? in[ii] : 1) * (ir >= 0 ? reps[ir] : 1);
  }
  return Shape(o);
}

RepeatParam RepeatParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RepeatParam p;
  p.repeats = r.Int("repeats");
  p.axis = r.OptInt("axis");
  r.Finish();
  MXS_CHECK(p.repeats >= 0) << "repeats cannot be negative, got " << p.repeats;
  return p;
}

Shape RepeatParam::OutShape(const Shape& in) const {
  int ax = 0;
  if (axis) ax = NormalizeAxis(*axis, in.ndim());
  if (repeats == 0) return Shape{0};
  if (!axis) return Shape{in.Size() * repeats};
  std::vector<int64_t> o = in.dims();
  o[ax] *= repeats;
  return Shape(o);
}

namespace {

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  out[0] = p.OutShape(in[0]);
}

}  // namespace

MXS_REGISTER_OPS(tile) {
  r.Add("tile").Aliases({"_npi_tile"}).Param<TileParam>().NumInputs(1).InferShape(InferShape<TileParam>);
  r.Add("repeat").Aliases({"_np_repeat"}).Param<RepeatParam>().NumInputs(1).InferShape(InferShape<RepeatParam>);
}

}  // namespace mxserve
