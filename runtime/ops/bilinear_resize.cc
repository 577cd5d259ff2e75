// SPDX-License-Identifier: Apache-2.0
// _contrib_BilinearResize2D: bilinear resampling of the two last axes of an NCHW tensor; the
// output size comes from the mode (MXNet's BilinearSampleOpInferShape, including its quirk
// that mode size reads scale_width only when scale_height is set). Mode like takes a second
// input whose height and width are used.
#include "ops/bilinear_resize.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

BilinearResizeParam BilinearResizeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BilinearResizeParam p;
  p.height = r.Int("height", 1);
  p.width = r.Int("width", 1);
  MXS_CHECK(p.height >= 1 && p.width >= 1) << "height and width must be at least 1";
  if (auto v = r.OptFloat("scale_height")) p.scale_height = static_cast<float>(*v);
  if (auto v = r.OptFloat("scale_width")) p.scale_width = static_cast<float>(*v);
  p.mode = r.Enum("mode", "size",
                  {"size", "odd_scale", "like", "to_even_down", "to_even_up", "to_odd_down",
                   "to_odd_up"});
  p.align_corners = r.Bool("align_corners", true);
  r.Finish();
  if (p.mode == "odd_scale") {
    MXS_CHECK(p.scale_height && p.scale_width)
        << "mode odd_scale needs scale_height and scale_width";
  }
  if (p.mode == "size" && p.scale_height) {
    MXS_CHECK(p.scale_width.has_value()) << "scale_height is set but scale_width is not";
  }
  return p;
}

namespace {

void InferShape(const BilinearResizeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known()) << "data shape is unknown";
  MXS_CHECK(d.ndim() == 4) << "data must be 4-D (N, C, H, W), got " << d.ToString();
  const int64_t h = d[2], w = d[3];
  int64_t oh = 0, ow = 0;
  if (p.mode == "size") {
    // MXNet computes the product in float and truncates towards zero.
    oh = p.scale_height ? static_cast<int64_t>(*p.scale_height * static_cast<float>(h)) : p.height;
    ow = p.scale_height ? static_cast<int64_t>(*p.scale_width * static_cast<float>(w)) : p.width;
  } else if (p.mode == "odd_scale") {
    oh = h % 2 == 0 ? static_cast<int64_t>(static_cast<float>(h) * *p.scale_height)
                    : static_cast<int64_t>(static_cast<float>(h - 1) * *p.scale_height) + 1;
    ow = w % 2 == 0 ? static_cast<int64_t>(static_cast<float>(w) * *p.scale_width)
                    : static_cast<int64_t>(static_cast<float>(w - 1) * *p.scale_width) + 1;
  } else if (p.mode == "like") {
    const Shape& like = in[1];
    MXS_CHECK(like.known() && like.ndim() == 4)
        << "like must be a known 4-D shape, got " << like.ToString();
    oh = like[2];
    ow = like[3];
  } else if (p.mode == "to_even_down") {
    oh = h % 2 == 0 ? h : h - 1;
    ow = w % 2 == 0 ? w : w - 1;
  } else if (p.mode == "to_even_up") {
    oh = h % 2 == 0 ? h : h + 1;
    ow = w % 2 == 0 ? w : w + 1;
  } else if (p.mode == "to_odd_down") {
    oh = h % 2 == 1 ? h : h - 1;
    ow = w % 2 == 1 ? w : w - 1;
  } else {
    oh = h % 2 == 1 ? h : h + 1;
    ow = w % 2 == 1 ? w : w + 1;
  }
  MXS_CHECK(oh > 0 && ow > 0) << "output size " << oh << "x" << ow << " is empty (mode "
                              << p.mode << ", input " << d.ToString() << ")";
  out[0] = Shape({d[0], d[1], oh, ow});
}

/// The like input only gives the size; its dtype may differ.
void InferType(const BilinearResizeParam&, std::vector<DType>& in, std::vector<DType>& out) {
  DType t = in[0] != DType::kUnknown ? in[0] : out[0];
  in[0] = t;
  out[0] = t;
  if (in.size() > 1 && in[1] == DType::kUnknown) in[1] = t;
}

}  // namespace

MXS_REGISTER_OPS(bilinear_resize) {
  r.Add("_contrib_BilinearResize2D")
      .Param<BilinearResizeParam>()
      .NumInputs<BilinearResizeParam>([](const BilinearResizeParam& p) { return p.num_inputs(); })
      .InputNames<BilinearResizeParam>([](const BilinearResizeParam& p) {
        return p.num_inputs() == 2 ? std::vector<std::string>{"data", "like"}
                                   : std::vector<std::string>{"data"};
      })
      .InferShape(InferShape)
      .InferType(InferType);
}

}  // namespace mxserve
