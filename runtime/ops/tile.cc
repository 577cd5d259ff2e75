// SPDX-License-Identifier: Apache-2.0
// tile and repeat: shape rules and the strided views the kernels copy (backends/*/tile.*),
// which read the input through zero strides for the repetitions.
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

StridedView TileParam::View(const Shape& in) const {
  const int nd = OutShape(in).ndim();
  std::vector<int64_t> in_dims(nd, 1);
  for (int i = 0; i < in.ndim(); ++i) in_dims[i + nd - in.ndim()] = in[i];
  const std::vector<int64_t> in_strides = RowMajorStrides(in_dims);
  StridedView v;
  for (int i = 0; i < nd; ++i) {
    const int ir = i - (nd - static_cast<int>(reps.size()));
    v.dims.push_back(reps.empty() || ir < 0 ? 1 : reps[ir]);
    v.strides.push_back(0);
    v.dims.push_back(in_dims[i]);
    v.strides.push_back(in_strides[i]);
  }
  return v;
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

StridedView RepeatParam::View(const Shape& in) const {
  StridedView v;
  if (repeats > 0 && axis) {
    const int ax = NormalizeAxis(*axis, in.ndim());
    const std::vector<int64_t> in_strides = RowMajorStrides(in.dims());
    for (int i = 0; i < in.ndim(); ++i) {
      v.dims.push_back(in[i]);
      v.strides.push_back(in_strides[i]);
      if (i == ax) {
        v.dims.push_back(repeats);
        v.strides.push_back(0);
      }
    }
  } else {
    v.dims = {repeats == 0 ? 0 : in.Size(), repeats};
    v.strides = {1, 0};
  }
  return v;
}

RepeatsParam RepeatsParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RepeatsParam p;
  p.repeats = r.Tuple("repeats");
  p.axis = r.OptInt("axis");
  r.Finish();
  MXS_CHECK(!p.repeats.empty()) << "repeats must not be empty";
  for (int64_t v : p.repeats) MXS_CHECK(v >= 0) << "repeats cannot be negative, got " << v;
  return p;
}

Shape RepeatsParam::OutShape(const Shape& in) const {
  int ax = 0;
  if (axis) ax = NormalizeAxis(*axis, in.ndim());
  const int64_t len = axis ? in[ax] : in.Size();
  MXS_CHECK(repeats.size() == 1 || static_cast<int64_t>(repeats.size()) == len)
      << "repeats has " << repeats.size() << " entries, but the repeated axis has " << len
      << " elements";
  int64_t total = 0;
  for (int64_t v : repeats) total += v;
  if (total == 0) return Shape{0};
  const int64_t n = repeats.size() == 1 ? len * total : total;
  if (!axis) return Shape{n};
  std::vector<int64_t> o = in.dims();
  o[ax] = n;
  return Shape(o);
}

std::vector<int64_t> RepeatsParam::Sources(int64_t axis_size) const {
  std::vector<int64_t> src;
  for (int64_t i = 0; i < axis_size; ++i) {
    const int64_t n = repeats.size() == 1 ? repeats[0] : repeats[i];
    src.insert(src.end(), n, i);
  }
  return src;
}

namespace {

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  out[0] = p.OutShape(in[0]);
}

}  // namespace

MXS_REGISTER_OPS(tile) {
  r.Add("tile")
      .Aliases({"_npi_tile"})
      .Param<TileParam>()
      .NumInputs(1)
      .InferShape(InferShape<TileParam>);
  r.Add("repeat")
      .Aliases({"_np_repeat", "_npi_repeat"})
      .Param<RepeatParam>()
      .NumInputs(1)
      .InferShape(InferShape<RepeatParam>);
  r.Add("_npi_repeats").Param<RepeatsParam>().NumInputs(1).InferShape(InferShape<RepeatsParam>);
}

}  // namespace mxserve
