// SPDX-License-Identifier: Apache-2.0
// Split operators: every output is a window of the input on one axis. Each op publishes a
// SplitLayout; the kernels (backends/*/split.*) copy the window views SplitLayout::Views gives.
#include "ops/split.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

// Output shapes from the per-output axis lengths.
void FillShapes(const Shape& in, bool squeeze, SplitLayout& l) {
  for (size_t i = 0; i < l.size.size(); ++i) {
    std::vector<int64_t> o = in.dims();
    if (squeeze) {
      MXS_CHECK(l.size[i] == 1) << "squeeze_axis needs parts of length 1 on axis " << l.axis
                                << ", but part " << i << " has length " << l.size[i];
      o.erase(o.begin() + l.axis);
    } else {
      o[l.axis] = l.size[i];
    }
    l.out.emplace_back(o);
  }
}

}  // namespace

std::vector<StridedView> SplitLayout::Views(const Shape& in) const {
  const std::vector<int64_t> strides = RowMajorStrides(in.dims());
  std::vector<StridedView> views;
  for (size_t k = 0; k < size.size(); ++k) {
    std::vector<int64_t> dims = in.dims();
    dims[axis] = size[k];
    views.push_back(StridedView{dims, strides, begin[k] * strides[axis]});
  }
  return views;
}

SliceChannelParam SliceChannelParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SliceChannelParam p;
  p.num_outputs = static_cast<int>(r.Int("num_outputs"));
  p.axis = r.Int("axis", 1);
  p.squeeze_axis = r.Bool("squeeze_axis", false);
  r.Finish();
  MXS_CHECK(p.num_outputs >= 1) << "num_outputs must be at least 1, got " << p.num_outputs;
  return p;
}

SplitLayout SliceChannelParam::Layout(const Shape& in) const {
  SplitLayout l;
  l.axis = NormalizeAxis(axis, in.ndim());
  const int64_t len = in[l.axis];
  MXS_CHECK(len % num_outputs == 0)
      << "num_outputs=" << num_outputs << " does not evenly divide axis " << l.axis << " of size "
      << len << " of input " << in.ToString();
  MXS_CHECK(!squeeze_axis || len == num_outputs)
      << "squeeze_axis needs the axis size (" << len << ") to equal num_outputs=" << num_outputs;
  for (int i = 0; i < num_outputs; ++i) {
    l.begin.push_back(i * (len / num_outputs));
    l.size.push_back(len / num_outputs);
  }
  FillShapes(in, squeeze_axis, l);
  return l;
}

SplitV2Param SplitV2Param::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SplitV2Param p;
  p.indices = r.Tuple("indices");
  p.axis = r.Int("axis", 1);
  p.squeeze_axis = r.Bool("squeeze_axis", false);
  p.sections = r.Int("sections", 0);
  r.Finish();
  MXS_CHECK(p.sections >= 0) << "sections must not be negative, got " << p.sections;
  MXS_CHECK(p.sections > 0 || !p.indices.empty()) << "either indices or sections must be given";
  return p;
}

SplitLayout SplitV2Param::Layout(const Shape& in) const {
  SplitLayout l;
  l.axis = NormalizeAxis(axis, in.ndim());
  const int64_t len = in[l.axis];
  std::vector<int64_t> starts;
  if (sections > 0) {
    // The first len % sections parts are one longer (numpy array_split).
    const int64_t small = len / sections, extra = len % sections;
    int64_t pos = 0;
    for (int64_t i = 0; i < sections; ++i) {
      starts.push_back(pos);
      pos += small + (i < extra ? 1 : 0);
    }
  } else {
    starts = indices;
  }
  const int n = static_cast<int>(starts.size());
  for (int i = 0; i < n; ++i) {
    const int64_t b = starts[i];
    int64_t e = i + 1 < n ? starts[i + 1] : len;
    if (len == 0) {
      e = b;
    } else {
      MXS_CHECK(b <= e) << "split " << i << " starts at " << b << ", after its end " << e;
      MXS_CHECK(e <= len) << "split " << i << " ends at " << e << ", past the axis size " << len;
    }
    MXS_CHECK(b >= 0) << "split " << i << " starts at a negative index " << b;
    l.begin.push_back(len == 0 ? 0 : b);
    l.size.push_back(e - b);
  }
  FillShapes(in, squeeze_axis, l);
  return l;
}

HSplitParam HSplitParam::Parse(const AttrMap& attrs) {
  HSplitParam p;
  static_cast<SplitV2Param&>(p) = SplitV2Param::Parse(attrs);
  return p;
}

SplitLayout HSplitParam::Layout(const Shape& in) const {
  MXS_CHECK(in.ndim() >= 1) << "hsplit needs an input with at least 1 axis";
  SplitV2Param p = *this;
  p.axis = in.ndim() > 1 ? 1 : 0;
  return p.Layout(in);
}

DSplitParam DSplitParam::Parse(const AttrMap& attrs) {
  DSplitParam p;
  static_cast<SplitV2Param&>(p) = SplitV2Param::Parse(attrs);
  return p;
}

SplitLayout DSplitParam::Layout(const Shape& in) const {
  MXS_CHECK(in.ndim() >= 3) << "dsplit needs an input with at least 3 axes, got " << in.ToString();
  SplitV2Param p = *this;
  p.axis = 2;
  return p.Layout(in);
}

namespace {

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  SplitLayout l = p.Layout(in[0]);
  for (size_t i = 0; i < out.size(); ++i) out[i] = l.out[i];
}

}  // namespace

MXS_REGISTER_OPS(split) {
  r.Add("SliceChannel")
      .Aliases({"split", "_npx_slice_channel"})
      .Param<SliceChannelParam>()
      .NumInputs(1)
      .NumOutputs<SliceChannelParam>([](const SliceChannelParam& p) { return p.num_outputs; })
      .InferShape(InferShape<SliceChannelParam>);
  r.Add("_split_v2")
      .Aliases({"_npi_split", "_npi_array_split"})
      .Param<SplitV2Param>()
      .NumInputs(1)
      .NumOutputs<SplitV2Param>([](const SplitV2Param& p) { return p.NumOutputs(); })
      .InferShape(InferShape<SplitV2Param>);
  r.Add("_npi_hsplit")
      .Param<HSplitParam>()
      .NumInputs(1)
      .NumOutputs<HSplitParam>([](const HSplitParam& p) { return p.NumOutputs(); })
      .InferShape(InferShape<HSplitParam>);
  r.Add("_npi_dsplit")
      .Param<DSplitParam>()
      .NumInputs(1)
      .NumOutputs<DSplitParam>([](const DSplitParam& p) { return p.NumOutputs(); })
      .InferShape(InferShape<DSplitParam>);
}

}  // namespace mxserve
