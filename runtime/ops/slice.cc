// SPDX-License-Identifier: Apache-2.0
// Slicing operators. Each one computes a SliceWindow (first index, step and output size per
// axis) that the shape rule publishes and the kernels (backends/*/slice.*) copy. The
// index clamping follows MXNet's GetIndexRange exactly, including negative steps.
#include "ops/slice.h"

#include <cctype>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Tuples of optional integers as MXNet writes them: "(1, None)", "[None, 2]", "3", "None".
// AttrReader::ParseTuple turns None into -1, which is a valid index here, hence this parser.
std::vector<std::optional<int64_t>> ParseOptTuple(const char* key, const std::string& text) {
  std::string t = Trim(text);
  if (t == "None") return {};
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    char close = t.front() == '(' ? ')' : ']';
    MXS_CHECK(t.back() == close) << "attribute '" << key << "': cannot parse '" << text << "' as a tuple";
    t = t.substr(1, t.size() - 2);
  }
  std::vector<std::optional<int64_t>> out;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t comma = t.find(',', pos);
    std::string item = Trim(t.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (item == "None") {
      out.emplace_back(std::nullopt);
    } else if (!item.empty()) {
      out.emplace_back(AttrReader::ParseInt(key, item));
    } else {
      MXS_CHECK(comma == std::string::npos) << "attribute '" << key << "': empty element in '" << text << "'";
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = p.Window(in[0]).out;
}

void InferSliceLike(const SliceLikeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[1].known()) << "the shape of the second input is unknown";
  out[0] = p.Window(in[0], in[1]).out;
}

SliceWindow FullWindow(const Shape& in) {
  SliceWindow w;
  w.begin.assign(in.ndim(), 0);
  w.step.assign(in.ndim(), 1);
  w.out = in;
  return w;
}

}  // namespace

StridedView SliceWindow::View(const Shape& in) const {
  const std::vector<int64_t> in_strides = RowMajorStrides(in.dims());
  StridedView v{out.dims(), {}, 0};
  for (int i = 0; i < in.ndim(); ++i) {
    v.strides.push_back(in_strides[i] * step[i]);
    v.offset += begin[i] * in_strides[i];
  }
  if (out.Size() == 0) v.offset = 0;
  return v;
}

SliceParam SliceParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SliceParam p;
  p.begin = ParseOptTuple("begin", r.String("begin"));
  p.end = ParseOptTuple("end", r.String("end"));
  p.step = ParseOptTuple("step", r.String("step", "()"));
  r.Finish();
  MXS_CHECK(p.begin.size() == p.end.size()) << "begin has " << p.begin.size() << " entries but end has "
                                            << p.end.size();
  MXS_CHECK(p.step.empty() || p.step.size() == p.begin.size())
      << "step has " << p.step.size() << " entries but begin has " << p.begin.size();
  for (const auto& s : p.step) MXS_CHECK(!s || *s != 0) << "attribute 'step': a step cannot be 0";
  return p;
}

SliceWindow SliceParam::Window(const Shape& in) const {
  const int ndim = in.ndim();
  MXS_CHECK(ndim > 0) << "slice needs an input with at least one axis";
  MXS_CHECK(static_cast<int>(begin.size()) <= ndim)
      << "begin has " << begin.size() << " entries but the input has " << ndim << " axes";
  SliceWindow w = FullWindow(in);
  std::vector<int64_t> o = in.dims();
  for (size_t i = 0; i < begin.size(); ++i) {
    const int64_t s = !step.empty() && step[i] ? *step[i] : 1;
    const int64_t len = in[i];
    int64_t b = 0, e = 0;
    if (len > 0) {
      b = begin[i] ? *begin[i] : (s < 0 ? len - 1 : 0);
      e = end[i] ? *end[i] : (s < 0 ? -1 : len);
      if (b < 0) b += len;
      if (e < 0 && end[i]) e += len;
      // Clamp as MXNet does: out-of-range starts select nothing, except that a start past either
      // end is pulled back when the step walks towards the data.
      if (b < 0 && s > 0) b = 0;
      if (b > len - 1 && s < 0) b = len - 1;
      if (b < 0 || b > len - 1) b = -1;
      if (e < -1) e = -1;
      if (e > len) e = len;
    }
    int64_t n = 0;
    if (e != b && b >= 0) n = s > 0 ? (e > b ? (e - b - 1) / s + 1 : 0) : (e < b ? (b - e - 1) / (-s) + 1 : 0);
    w.begin[i] = b;
    w.step[i] = s;
    o[i] = n;
  }
  w.out = Shape(o);
  return w;
}

SliceAxisParam SliceAxisParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SliceAxisParam p;
  p.axis = r.Int("axis");
  p.begin = r.Int("begin");
  p.end = r.OptInt("end");
  r.Finish();
  return p;
}

SliceWindow SliceAxisParam::Window(const Shape& in) const {
  const int64_t ndim = in.ndim();
  const int ax = NormalizeAxis(axis, static_cast<int>(ndim));
  const int64_t len = in[ax];
  int64_t b = begin < 0 ? begin + len : begin;
  int64_t e = 0;
  if (len > 0) {
    e = end ? (*end < 0 ? *end + len : *end) : len;
    MXS_CHECK(e <= len) << "end " << e << " is past the axis size " << len;
    MXS_CHECK(b < e) << "begin " << begin << " must come before end "
                     << (end ? std::to_string(*end) : std::string("None")) << " on an axis of size " << len;
  } else {
    b = 0;
  }
  MXS_CHECK(e >= 0 && b >= 0) << "begin " << begin << " is out of bounds on an axis of size " << len;
  SliceWindow w = FullWindow(in);
  std::vector<int64_t> o = in.dims();
  o[ax] = e - b;
  w.begin[ax] = b;
  w.out = Shape(o);
  return w;
}

SliceLikeParam SliceLikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SliceLikeParam p;
  p.axes = r.Tuple("axes", {});
  r.Finish();
  return p;
}

SliceWindow SliceLikeParam::Window(const Shape& in, const Shape& like) const {
  SliceWindow w = FullWindow(in);
  std::vector<int64_t> o = in.dims();
  if (axes.empty()) {
    MXS_CHECK(in.ndim() == like.ndim()) << "without axes both inputs need the same number of axes, got "
                                        << in.ToString() << " and " << like.ToString();
    for (int i = 0; i < in.ndim(); ++i) o[i] = like[i];
  } else {
    for (int64_t a : axes) {
      int64_t ax = a < 0 ? a + in.ndim() : a;
      MXS_CHECK(ax >= 0 && ax < in.ndim() && ax < like.ndim())
          << "axis " << a << " is out of bounds for inputs " << in.ToString() << " and " << like.ToString();
      o[ax] = like[ax];
    }
  }
  for (int i = 0; i < in.ndim(); ++i)
    MXS_CHECK(o[i] <= in[i]) << "axis " << i << ": size " << o[i] << " exceeds the input's " << in[i];
  w.out = Shape(o);
  return w;
}

MXS_REGISTER_OPS(slice) {
  r.Add("slice").Aliases({"crop", "_npi_slice"}).Param<SliceParam>().NumInputs(1).InferShape(InferShape<SliceParam>);
  r.Add("slice_axis").Param<SliceAxisParam>().NumInputs(1).InferShape(InferShape<SliceAxisParam>);
  r.Add("slice_like")
      .Aliases({"_npx_slice_like"})
      .Param<SliceLikeParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "shape_like"})
      .InferShape(InferSliceLike);
}

}  // namespace mxserve
