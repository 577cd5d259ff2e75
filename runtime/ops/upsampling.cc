// SPDX-License-Identifier: Apache-2.0
// UpSampling. nearest: every input is repeated to the first input's size times scale, then
// the results are concatenated along the channels or summed. bilinear: inputs data and weight
// (C, 1, k, k), computed as a grouped deconvolution with that weight.
#include "ops/upsampling.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

UpSamplingParam UpSamplingParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  UpSamplingParam p;
  p.scale = r.Int("scale");
  MXS_CHECK(p.scale >= 1) << "scale must be at least 1, got " << p.scale;
  p.num_filter = r.Int("num_filter", 0);
  p.sample_type = r.Enum("sample_type", "nearest", {"nearest", "bilinear"});
  p.num_args = r.Int("num_args");
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  p.multi_input_mode = r.Enum("multi_input_mode", "concat", {"concat", "sum"});
  r.Ignore({"workspace"});
  r.Finish();
  return p;
}

DeconvolutionParam UpSamplingParam::Deconvolution() const {
  DeconvolutionParam d;
  const int64_t k = 2 * scale - scale % 2, pad = scale / 2;
  d.kernel = {k, k};
  d.stride = {scale, scale};
  d.dilate = {1, 1};
  d.pad = {pad, pad};
  d.adj = {0, 0};
  d.num_filter = num_filter;
  d.num_group = num_filter;
  d.no_bias = true;
  return d;
}

namespace {

void InferShape(const UpSamplingParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known()) << "data shape is unknown";
  MXS_CHECK(d.ndim() == 4) << "data must be 4-D (N, C, H, W), got " << d.ToString();
  const int64_t oh = d[2] * p.scale, ow = d[3] * p.scale;
  std::vector<int64_t> o{d[0], 0, oh, ow};
  if (p.bilinear()) {
    MXS_CHECK(p.num_filter == d[1]) << "num_filter " << p.num_filter
                                    << " must equal the input channels " << d[1];
    const int64_t k = 2 * p.scale - p.scale % 2;
    Shape w{d[1], 1, k, k};
    MXS_CHECK(!in[1].known() || in[1] == w)
        << "weight has shape " << in[1].ToString() << ", expected " << w.ToString();
    in[1] = w;
    o[1] = d[1];
  } else {
    for (size_t i = 0; i < in.size(); ++i) {
      const Shape& s = in[i];
      MXS_CHECK(s.known() && s.ndim() == 4)
          << "input " << i << " must be 4-D (N, C, H, W), got " << s.ToString();
      MXS_CHECK(s[0] == d[0]) << "input " << i << " has batch " << s[0] << ", expected " << d[0];
      MXS_CHECK(s[2] > 0 && s[3] > 0 && oh % s[2] == 0 && ow % s[3] == 0 &&
                oh / s[2] == ow / s[3])
          << "input " << i << " of shape " << s.ToString()
          << " cannot be repeated by a whole factor to the output size " << oh << "x" << ow;
      if (p.multi_input_mode == "sum" && p.num_args > 1) {
        MXS_CHECK(o[1] == 0 || o[1] == s[1])
            << "inputs must have the same channels in multi_input_mode sum";
        o[1] = s[1];
      } else {
        o[1] += s[1];
      }
    }
  }
  out[0] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(upsampling) {
  r.Add("UpSampling")
      .Param<UpSamplingParam>()
      .NumInputs<UpSamplingParam>([](const UpSamplingParam& p) { return p.num_inputs(); })
      .InputNames<UpSamplingParam>([](const UpSamplingParam& p) {
        if (p.bilinear()) return std::vector<std::string>{"data", "weight"};
        std::vector<std::string> names;
        for (int64_t i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
