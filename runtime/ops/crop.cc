// SPDX-License-Identifier: Apache-2.0
// Crop: NCHW input only, as in MXNet; the window's corner is validated at bind time.
#include "ops/crop.h"

#include <string>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

CropParam CropParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  CropParam p;
  p.num_args = static_cast<int>(r.Int("num_args"));
  p.offset = r.Tuple("offset", {0, 0});
  p.h_w = r.Tuple("h_w", {0, 0});
  p.center_crop = r.Bool("center_crop", false);
  r.Finish();
  MXS_CHECK(p.num_args == 1 || p.num_args == 2) << "num_args must be 1 or 2, got " << p.num_args;
  MXS_CHECK(p.offset.size() == 2) << "offset must have 2 entries (y, x), got " << p.offset.size();
  MXS_CHECK(p.h_w.size() == 2) << "h_w must have 2 entries (h, w), got " << p.h_w.size();
  return p;
}

Shape CropParam::OutShape(const Shape& in, const Shape& like) const {
  MXS_CHECK(in.ndim() == 4) << "the input must be 4-D (N, C, H, W), got " << in.ToString();
  std::vector<int64_t> o = in.dims();
  if (num_args == 1) {
    MXS_CHECK(h_w[0] >= 1 && h_w[0] <= in[2])
        << "the crop height h_w[0]=" << h_w[0] << " must be in [1, " << in[2] << "]";
    MXS_CHECK(h_w[1] >= 1 && h_w[1] <= in[3])
        << "the crop width h_w[1]=" << h_w[1] << " must be in [1, " << in[3] << "]";
    o[2] = h_w[0];
    o[3] = h_w[1];
  } else {
    MXS_CHECK(like.ndim() == 4) << "crop_like must be 4-D (N, C, H, W), got " << like.ToString();
    o[2] = like[2];
    o[3] = like[3];
  }
  Shape out(o);
  Corner(in, out);
  return out;
}

std::vector<int64_t> CropParam::Corner(const Shape& in, const Shape& out) const {
  MXS_CHECK(in[2] >= out[2] && in[3] >= out[3])
      << "the crop " << out.ToString() << " is larger than the input " << in.ToString();
  if (center_crop) return {(in[2] - out[2]) / 2, (in[3] - out[3]) / 2};
  MXS_CHECK(offset[0] >= 0 && offset[0] <= in[2] - out[2])
      << "offset[0]=" << offset[0] << " must be in [0, " << in[2] - out[2] << "]";
  MXS_CHECK(offset[1] >= 0 && offset[1] <= in[3] - out[3])
      << "offset[1]=" << offset[1] << " must be in [0, " << in[3] - out[3] << "]";
  return offset;
}

StridedView CropParam::View(const Shape& in, const Shape& out) const {
  const std::vector<int64_t> corner = Corner(in, out);
  const std::vector<int64_t> strides = RowMajorStrides(in.dims());
  return StridedView{out.dims(), strides, corner[0] * strides[2] + corner[1] * strides[3]};
}

namespace {

void InferShape(const CropParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  if (p.num_args == 2) {
    MXS_CHECK(in[1].known()) << "the shape of crop_like is unknown";
  }
  out[0] = p.OutShape(in[0], p.num_args == 2 ? in[1] : Shape());
}

}  // namespace

MXS_REGISTER_OPS(crop) {
  r.Add("Crop")
      .Param<CropParam>()
      .NumInputs<CropParam>([](const CropParam& p) { return p.num_args; })
      .InputNames<CropParam>([](const CropParam& p) {
        return p.num_args == 1 ? std::vector<std::string>{"data"}
                               : std::vector<std::string>{"data", "crop_like"};
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
