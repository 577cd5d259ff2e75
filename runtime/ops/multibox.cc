// SPDX-License-Identifier: Apache-2.0
// MultiBoxPrior: a (N, C, H, W) feature map gives (1, H * W * (sizes + ratios - 1), 4) anchors.
// MultiBoxDetection: class probabilities (B, classes, A), offsets (B, A * 4) and anchors
// (1, A, 4) give (B, A, 6) rows [class, score, x0, y0, x1, y1].
#include "ops/multibox.h"

#include <cmath>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::vector<float> Floats(AttrReader& r, const char* key, const std::vector<float>& def) {
  std::vector<double> d(def.begin(), def.end());
  std::vector<double> v = r.FloatTuple(key, d);
  return std::vector<float>(v.begin(), v.end());
}

}  // namespace

MultiBoxPriorParam MultiBoxPriorParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  MultiBoxPriorParam p;
  p.sizes = Floats(r, "sizes", p.sizes);
  p.ratios = Floats(r, "ratios", p.ratios);
  p.clip = r.Bool("clip", false);
  p.steps = Floats(r, "steps", p.steps);
  p.offsets = Floats(r, "offsets", p.offsets);
  r.Finish();
  MXS_CHECK(!p.sizes.empty() && !p.ratios.empty()) << "sizes and ratios cannot be empty";
  MXS_CHECK(p.steps.size() == 2) << "steps must be (step_y, step_x), got " << p.steps.size()
                                 << " values";
  MXS_CHECK(p.offsets.size() == 2)
      << "offsets must be (y, x), got " << p.offsets.size() << " values";
  for (float o : p.offsets)
    MXS_CHECK(o >= 0.f && o <= 1.f) << "offsets must be in [0, 1], got " << o;
  MXS_CHECK(p.steps[0] * p.steps[1] >= 0) << "steps must both be given or both be automatic";
  return p;
}

std::vector<float> MultiBoxPriorBoxes(const MultiBoxPriorParam& p, int in_height, int in_width) {
  float step_y = p.steps[0], step_x = p.steps[1];
  if (step_y <= 0 || step_x <= 0) {
    step_y = 1.f / in_height;
    step_x = 1.f / in_width;
  }
  std::vector<float> boxes;
  auto push = [&](float cx, float cy, float w, float h) {
    const float v[4] = {cx - w, cy - h, cx + w, cy + h};
    for (float x : v) boxes.push_back(p.clip ? (x < 0.f ? 0.f : (x > 1.f ? 1.f : x)) : x);
  };
  const int num_sizes = static_cast<int>(p.sizes.size());
  const int num_ratios = static_cast<int>(p.ratios.size());
  for (int r = 0; r < in_height; ++r) {
    const float cy = (r + p.offsets[0]) * step_y;
    for (int c = 0; c < in_width; ++c) {
      const float cx = (c + p.offsets[1]) * step_x;
      const float first_ratio = std::sqrt(p.ratios[0]);
      for (int i = 0; i < num_sizes; ++i) {
        const float size = p.sizes[i];
        push(cx, cy, size * in_height / in_width * first_ratio / 2, size / first_ratio / 2);
      }
      const float size = p.sizes[0];
      for (int j = 1; j < num_ratios; ++j) {
        const float ratio = std::sqrt(p.ratios[j]);
        push(cx, cy, size * in_height / in_width * ratio / 2, size / ratio / 2);
      }
    }
  }
  return boxes;
}

MultiBoxDetectionParam MultiBoxDetectionParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  MultiBoxDetectionParam p;
  p.clip = r.Bool("clip", true);
  p.threshold = static_cast<float>(r.Float("threshold", 0.01));
  p.background_id = static_cast<int>(r.Int("background_id", 0));
  p.nms_threshold = static_cast<float>(r.Float("nms_threshold", 0.5));
  p.force_suppress = r.Bool("force_suppress", false);
  p.variances = Floats(r, "variances", p.variances);
  p.nms_topk = static_cast<int>(r.Int("nms_topk", -1));
  r.Finish();
  MXS_CHECK(p.variances.size() == 4) << "variances must have 4 values, got " << p.variances.size();
  return p;
}

namespace {

void InferPrior(const MultiBoxPriorParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.ndim() >= 4) << "data must be (batch, channels, height, width), got " << d.ToString();
  MXS_CHECK(d[2] > 0 && d[3] > 0) << "height and width must be positive, got " << d.ToString();
  const int64_t per_cell = static_cast<int64_t>(p.sizes.size() + p.ratios.size()) - 1;
  out[0] = Shape{1, d[2] * d[3] * per_cell, 4};
}

void InferDetection(const MultiBoxDetectionParam&, std::vector<Shape>& in,
                    std::vector<Shape>& out) {
  const Shape& c = in[0];
  const Shape& l = in[1];
  const Shape& a = in[2];
  MXS_CHECK(c.ndim() == 3) << "cls_prob must be (batch, classes, anchors), got " << c.ToString();
  MXS_CHECK(l.ndim() == 2) << "loc_pred must be (batch, anchors * 4), got " << l.ToString();
  MXS_CHECK(a.ndim() == 3 && a[2] == 4) << "anchor must be (1, anchors, 4), got " << a.ToString();
  MXS_CHECK(c[2] == a[1]) << "cls_prob has " << c[2] << " anchors, anchor has " << a[1];
  MXS_CHECK(l[1] == c[2] * 4) << "loc_pred has " << l[1] << " values per batch, expected "
                              << c[2] * 4;
  MXS_CHECK(l[0] == c[0]) << "loc_pred has batch " << l[0] << ", cls_prob " << c[0];
  MXS_CHECK(a[1] > 0) << "there must be at least one anchor";
  MXS_CHECK(a.Size() == a[1] * 4) << "anchor must be (1, anchors, 4), got " << a.ToString();
  out[0] = Shape{c[0], a[1], 6};
}

}  // namespace

MXS_REGISTER_OPS(multibox) {
  r.Add("_contrib_MultiBoxPrior")
      .Aliases({"_npx_multibox_prior"})
      .Param<MultiBoxPriorParam>()
      .NumInputs(1)
      .InferShape(InferPrior);
  r.Add("_contrib_MultiBoxDetection")
      .Aliases({"_npx_multibox_detection"})
      .Param<MultiBoxDetectionParam>()
      .NumInputs(3)
      .InputNames(std::vector<std::string>{"cls_prob", "loc_pred", "anchor"})
      .InferShape(InferDetection);
}

}  // namespace mxserve
