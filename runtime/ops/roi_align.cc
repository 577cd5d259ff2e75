// SPDX-License-Identifier: Apache-2.0
// ROIAlign: data (N, C, H, W) and rois (R, 5) rows [batch index, x0, y0, x1, y1] in image
// coordinates give (R, C, ph, pw), or (R, C / (ph * pw), ph, pw) when position-sensitive.
#include "ops/roi_align.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

RoiAlignParam RoiAlignParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RoiAlignParam p;
  const std::vector<int64_t> ps = r.Tuple("pooled_size");
  MXS_CHECK(ps.size() == 2 && ps[0] > 0 && ps[1] > 0)
      << "pooled_size must be two positive sizes (h, w), got " << ps.size() << " values";
  p.pooled_h = ps[0];
  p.pooled_w = ps[1];
  p.spatial_scale = static_cast<float>(r.Float("spatial_scale"));
  MXS_CHECK(p.spatial_scale >= 0.f && p.spatial_scale <= 1.f)
      << "spatial_scale must be in [0, 1], got " << p.spatial_scale;
  p.sample_ratio = static_cast<int>(r.Int("sample_ratio", -1));
  p.position_sensitive = r.Bool("position_sensitive", false);
  p.aligned = r.Bool("aligned", false);
  r.Finish();
  return p;
}

namespace {

void InferShape(const RoiAlignParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  const Shape& b = in[1];
  MXS_CHECK(d.ndim() == 4) << "data must be 4-D (N, C, H, W), got " << d.ToString();
  MXS_CHECK(b.ndim() == 2 && b[1] == 5) << "rois must be (R, 5), got " << b.ToString();
  int64_t c = d[1];
  if (p.position_sensitive) {
    MXS_CHECK(c % (p.pooled_h * p.pooled_w) == 0)
        << "position-sensitive ROIAlign needs channels divisible by " << p.pooled_h * p.pooled_w
        << ", got " << c;
    c /= p.pooled_h * p.pooled_w;
  }
  out[0] = Shape{b[0], c, p.pooled_h, p.pooled_w};
}

}  // namespace

MXS_REGISTER_OPS(roi_align) {
  r.Add("_contrib_ROIAlign")
      .Param<RoiAlignParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "rois"})
      .InferShape(InferShape);
}

}  // namespace mxserve
