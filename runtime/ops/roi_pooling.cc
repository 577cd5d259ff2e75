// SPDX-License-Identifier: Apache-2.0
// ROIPooling: data (N, C, H, W) and rois (R, 5) rows [batch index, x0, y0, x1, y1] give
// (R, C, ph, pw). MXNet's second output (argmax positions, for the backward pass) is hidden.
#include "ops/roi_pooling.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

RoiPoolingParam RoiPoolingParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RoiPoolingParam p;
  const std::vector<int64_t> ps = r.Tuple("pooled_size");
  MXS_CHECK(ps.size() == 2 && ps[0] > 0 && ps[1] > 0)
      << "pooled_size must be two positive sizes (h, w), got " << ps.size() << " values";
  p.pooled_h = ps[0];
  p.pooled_w = ps[1];
  p.spatial_scale = static_cast<float>(r.Float("spatial_scale"));
  MXS_CHECK(p.spatial_scale >= 0.f && p.spatial_scale <= 1.f)
      << "spatial_scale must be in [0, 1], got " << p.spatial_scale;
  r.Finish();
  return p;
}

namespace {

void InferShape(const RoiPoolingParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  const Shape& b = in[1];
  MXS_CHECK(d.ndim() == 4) << "data must be 4-D (N, C, H, W), got " << d.ToString();
  MXS_CHECK(b.ndim() == 2 && b[1] == 5) << "rois must be (R, 5), got " << b.ToString();
  out[0] = Shape{b[0], d[1], p.pooled_h, p.pooled_w};
}

}  // namespace

MXS_REGISTER_OPS(roi_pooling) {
  r.Add("ROIPooling")
      .Aliases({"_npx_roi_pooling"})
      .Param<RoiPoolingParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "rois"})
      .InferShape(InferShape);
}

}  // namespace mxserve
