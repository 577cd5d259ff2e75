// SPDX-License-Identifier: Apache-2.0
// Shapes and attributes of box_encode (targets and masks shaped like the anchors), box_decode
// (shaped like the offsets), box_iou (lhs leading axes followed by rhs leading axes) and
// bipartite_matching (row matches and column matches).
#include "ops/box_codec.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

BoxEncodeParam BoxEncodeParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

BoxDecodeParam BoxDecodeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BoxDecodeParam p;
  p.std0 = static_cast<float>(r.Float("std0", 1.0));
  p.std1 = static_cast<float>(r.Float("std1", 1.0));
  p.std2 = static_cast<float>(r.Float("std2", 1.0));
  p.std3 = static_cast<float>(r.Float("std3", 1.0));
  p.clip = static_cast<float>(r.Float("clip", -1.0));
  p.format = ParseBoxFormat(r, "format", BoxFormat::kCenter);
  r.Finish();
  return p;
}

BoxIouParam BoxIouParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BoxIouParam p;
  p.format = ParseBoxFormat(r, "format", BoxFormat::kCorner);
  r.Finish();
  return p;
}

BipartiteMatchingParam BipartiteMatchingParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BipartiteMatchingParam p;
  p.is_ascend = r.Bool("is_ascend", false);
  p.threshold = static_cast<float>(r.Float("threshold"));
  p.topk = static_cast<int>(r.Int("topk", -1));
  r.Finish();
  return p;
}

namespace {

void CheckBoxes(const Shape& s, const char* what, int min_ndim) {
  MXS_CHECK(s.ndim() >= min_ndim) << what << " needs at least " << min_ndim << " axes, got "
                                  << s.ToString();
  MXS_CHECK(s[s.ndim() - 1] == 4) << "the last axis of " << what << " must be 4, got "
                                  << s.ToString();
}

void InferEncode(const BoxEncodeParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].ndim() == 2) << "samples must have 2 axes (batch, anchors), got "
                               << in[0].ToString();
  MXS_CHECK(in[1].ndim() >= 2) << "matches must have 2 axes (batch, anchors), got "
                               << in[1].ToString();
  CheckBoxes(in[2], "anchors", 3);
  CheckBoxes(in[3], "refs", 3);
  const Shape& a = in[2];
  MXS_CHECK(in[0].Size() == a[0] * a[1] && in[1].Size() == a[0] * a[1])
      << "samples " << in[0].ToString() << " and matches " << in[1].ToString() << " must have "
      << a[0] << " x " << a[1] << " elements like the anchors " << a.ToString();
  MXS_CHECK(a.Size() == a[0] * a[1] * 4)
      << "anchors must be (batch, anchors, 4), got " << a.ToString();
  MXS_CHECK(in[3].Size() == a[0] * in[3][1] * 4)
      << "refs must be (batch, refs, 4) with the anchors' batch, got " << in[3].ToString();
  for (int i : {4, 5}) {
    if (!in[i].known()) in[i] = Shape{4};
    MXS_CHECK(in[i] == Shape{4}) << (i == 4 ? "means" : "stds") << " must have shape (4,), got "
                                 << in[i].ToString();
  }
  out[0] = a;
  out[1] = a;
}

void InferDecode(const BoxDecodeParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.ndim() == 3) << "data must have 3 axes (batch, boxes, 4), got " << d.ToString();
  CheckBoxes(d, "data", 3);
  CheckBoxes(in[1], "anchors", 3);
  MXS_CHECK(in[1].Size() == d[1] * 4)
      << "anchors must hold one box per data box, (1, " << d[1] << ", 4), got " << in[1].ToString();
  out[0] = d;
}

void InferIou(const BoxIouParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  CheckBoxes(in[0], "lhs", 2);
  CheckBoxes(in[1], "rhs", 2);
  std::vector<int64_t> o(in[0].dims().begin(), in[0].dims().end() - 1);
  o.insert(o.end(), in[1].dims().begin(), in[1].dims().end() - 1);
  out[0] = Shape(o);
}

void InferMatching(const BipartiteMatchingParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& s = in[0];
  MXS_CHECK(s.ndim() >= 2) << "the score matrix needs at least 2 axes, got " << s.ToString();
  std::vector<int64_t> o(s.dims().begin(), s.dims().end() - 1);
  out[0] = Shape(o);
  o.back() = s[s.ndim() - 1];
  out[1] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(box_codec) {
  r.Add("_contrib_box_encode")
      .Aliases({"_npx_box_encode"})
      .Param<BoxEncodeParam>()
      .NumInputs(6)
      .NumOutputs(2)
      .InputNames(
          std::vector<std::string>{"samples", "matches", "anchors", "refs", "means", "stds"})
      .InferShape(InferEncode);
  r.Add("_contrib_box_decode")
      .Aliases({"_npx_box_decode"})
      .Param<BoxDecodeParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "anchors"})
      .InferShape(InferDecode);
  r.Add("_contrib_box_iou")
      .Aliases({"_npx_box_iou"})
      .Param<BoxIouParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"lhs", "rhs"})
      .InferShape(InferIou);
  r.Add("_contrib_bipartite_matching")
      .Aliases({"_npx_bipartite_matching"})
      .Param<BipartiteMatchingParam>()
      .NumInputs(1)
      .NumOutputs(2)
      .InferShape(InferMatching);
}

}  // namespace mxserve
