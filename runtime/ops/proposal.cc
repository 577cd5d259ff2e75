// SPDX-License-Identifier: Apache-2.0
// Proposal / MultiProposal: cls_prob (B, 2A, H, W), bbox_pred (B, 4A, H, W) and im_info (B, 3)
// rows [height, width, scale] give (B * rpn_post_nms_top_n, 5) rows [batch, x0, y0, x1, y1] and,
// with output_score, the (B * rpn_post_nms_top_n, 1) scores. Proposal needs B = 1.
#include "ops/proposal.h"

#include <cmath>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::vector<float> Floats(AttrReader& r, const char* key, const std::vector<float>& def) {
  std::vector<double> v = r.FloatTuple(key, std::vector<double>(def.begin(), def.end()));
  return std::vector<float>(v.begin(), v.end());
}

}  // namespace

ProposalParam ProposalParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ProposalParam p;
  p.rpn_pre_nms_top_n = static_cast<int>(r.Int("rpn_pre_nms_top_n", 6000));
  p.rpn_post_nms_top_n = static_cast<int>(r.Int("rpn_post_nms_top_n", 300));
  p.threshold = static_cast<float>(r.Float("threshold", 0.7));
  p.rpn_min_size = static_cast<int>(r.Int("rpn_min_size", 16));
  p.scales = Floats(r, "scales", p.scales);
  p.ratios = Floats(r, "ratios", p.ratios);
  p.feature_stride = static_cast<int>(r.Int("feature_stride", 16));
  p.output_score = r.Bool("output_score", false);
  p.iou_loss = r.Bool("iou_loss", false);
  r.Finish();
  MXS_CHECK(p.rpn_post_nms_top_n > 0)
      << "rpn_post_nms_top_n must be positive, got " << p.rpn_post_nms_top_n;
  MXS_CHECK(!p.scales.empty() && !p.ratios.empty()) << "scales and ratios cannot be empty";
  return p;
}

std::vector<float> ProposalBaseAnchors(const ProposalParam& p) {
  const float base[4] = {0.f, 0.f, static_cast<float>(p.feature_stride - 1.0),
                         static_cast<float>(p.feature_stride - 1.0)};
  std::vector<float> out;
  for (float ratio : p.ratios) {
    for (float scale : p.scales) {
      const float w = base[2] - base[0] + 1.0f;
      const float h = base[3] - base[1] + 1.0f;
      const float x_ctr = static_cast<float>(base[0] + 0.5 * (w - 1.0f));
      const float y_ctr = static_cast<float>(base[1] + 0.5 * (h - 1.0f));
      const float size = w * h;
      const float size_ratios = std::floor(size / ratio);
      const float new_w = std::floor(std::sqrt(size_ratios) + 0.5f) * scale;
      const float new_h = std::floor((new_w / scale * ratio) + 0.5f) * scale;
      out.push_back(x_ctr - 0.5f * (new_w - 1.0f));
      out.push_back(y_ctr - 0.5f * (new_h - 1.0f));
      out.push_back(x_ctr + 0.5f * (new_w - 1.0f));
      out.push_back(y_ctr + 0.5f * (new_h - 1.0f));
    }
  }
  return out;
}

namespace {

template <bool kMulti>
void InferShape(const ProposalParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& c = in[0];
  MXS_CHECK(c.ndim() == 4) << "cls_prob must be (batch, 2 * anchors, height, width), got "
                           << c.ToString();
  const int64_t anchors = static_cast<int64_t>(p.scales.size() * p.ratios.size());
  MXS_CHECK(c[1] == 2 * anchors) << "cls_prob has " << c[1] << " channels, the " << p.ratios.size()
                                 << " ratios x " << p.scales.size() << " scales need "
                                 << 2 * anchors;
  if (!kMulti) {
    MXS_CHECK(c[0] == 1) << "Proposal handles one image, got a batch of " << c[0];
  }
  const Shape bbox{c[0], c[1] * 2, c[2], c[3]};
  if (!in[1].known()) in[1] = bbox;
  MXS_CHECK(in[1] == bbox) << "bbox_pred must be " << bbox.ToString() << ", got "
                           << in[1].ToString();
  const Shape info{c[0], 3};
  if (!in[2].known()) in[2] = info;
  MXS_CHECK(in[2] == info) << "im_info must be " << info.ToString() << ", got " << in[2].ToString();
  const int64_t rows = c[0] * p.rpn_post_nms_top_n;
  out[0] = Shape{rows, 5};
  if (out.size() > 1) out[1] = Shape{rows, 1};
}

int NumOutputs(const ProposalParam& p) { return p.output_score ? 2 : 1; }

}  // namespace

MXS_REGISTER_OPS(proposal) {
  const std::vector<std::string> names{"cls_prob", "bbox_pred", "im_info"};
  r.Add("_contrib_Proposal")
      .Param<ProposalParam>()
      .NumInputs(3)
      .NumOutputs<ProposalParam>(NumOutputs)
      .InputNames(names)
      .InferShape(InferShape<false>);
  r.Add("_contrib_MultiProposal")
      .Param<ProposalParam>()
      .NumInputs(3)
      .NumOutputs<ProposalParam>(NumOutputs)
      .InputNames(names)
      .InferShape(InferShape<true>);
}

}  // namespace mxserve
