// SPDX-License-Identifier: Apache-2.0
// Convolution: inputs data (N, C, *spatial), weight (F, C/G, *kernel), bias (F) unless no_bias.
// Output spatial size = floor((in + 2*pad - (dilate*(kernel-1)+1)) / stride) + 1.
#include "ops/convolution.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ConvolutionParam ConvolutionParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ConvolutionParam p;
  p.kernel = r.Tuple("kernel");
  size_t nd = p.kernel.size();
  MXS_CHECK(nd >= 1 && nd <= 3) << "kernel must have 1 to 3 dimensions, got " << nd;
  p.stride = r.Tuple("stride", std::vector<int64_t>(nd, 1));
  p.dilate = r.Tuple("dilate", std::vector<int64_t>(nd, 1));
  p.pad = r.Tuple("pad", std::vector<int64_t>(nd, 0));
  if (p.stride.empty()) p.stride.assign(nd, 1);
  if (p.dilate.empty()) p.dilate.assign(nd, 1);
  if (p.pad.empty()) p.pad.assign(nd, 0);
  MXS_CHECK(p.stride.size() == nd && p.dilate.size() == nd && p.pad.size() == nd)
      << "kernel, stride, dilate and pad must have the same length";
  for (size_t i = 0; i < nd; ++i) {
    MXS_CHECK(p.kernel[i] > 0 && p.stride[i] > 0 && p.dilate[i] > 0 && p.pad[i] >= 0)
        << "kernel, stride and dilate must be positive and pad non-negative";
  }
  p.num_filter = r.Int("num_filter");
  MXS_CHECK(p.num_filter > 0) << "num_filter must be positive";
  p.num_group = r.Int("num_group", 1);
  MXS_CHECK(p.num_group > 0 && p.num_filter % p.num_group == 0)
      << "num_filter " << p.num_filter << " is not divisible by num_group " << p.num_group;
  p.no_bias = r.Bool("no_bias", false);
  std::string layout = r.String("layout", "None");
  MXS_CHECK_CODE(layout == "None" || layout == "NCW" || layout == "NCHW" || layout == "NCDHW", kUnsupported)
      << "layout " << layout << " is not supported (channels-first only)";
  r.Ignore({"workspace", "cudnn_tune", "cudnn_off"});
  r.Finish();
  return p;
}

void InferConvolutionShape(const ConvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known()) << "data shape is unknown";
  int nd = static_cast<int>(p.kernel.size());
  MXS_CHECK(data.ndim() == nd + 2) << "data must have " << nd + 2 << " dimensions for a " << nd
                                   << "-D kernel, got " << data.ToString();
  int64_t channels = data[1];
  MXS_CHECK(channels % p.num_group == 0) << "input channels " << channels
                                         << " are not divisible by num_group " << p.num_group;
  std::vector<int64_t> w{p.num_filter, channels / p.num_group};
  w.insert(w.end(), p.kernel.begin(), p.kernel.end());
  Shape wshape(w);
  if (in[1].known()) {
    MXS_CHECK(in[1] == wshape) << "weight has shape " << in[1].ToString() << ", expected "
                               << wshape.ToString();
  }
  in[1] = wshape;
  if (!p.no_bias) {
    Shape b{p.num_filter};
    MXS_CHECK(!in[2].known() || in[2] == b) << "bias has shape " << in[2].ToString()
                                            << ", expected " << b.ToString();
    in[2] = b;
  }
  std::vector<int64_t> o{data[0], p.num_filter};
  for (int i = 0; i < nd; ++i) {
    int64_t dk = p.dilate[i] * (p.kernel[i] - 1) + 1;
    int64_t padded = data[2 + i] + 2 * p.pad[i];
    MXS_CHECK(padded >= dk) << "kernel extent " << dk << " exceeds padded input size " << padded
                            << " in spatial dimension " << i;
    o.push_back((padded - dk) / p.stride[i] + 1);
  }
  out[0] = Shape(o);
}

MXS_REGISTER_OPS(convolution) {
  r.Add("Convolution")
      .Aliases({"_npx_convolution"})
      .Param<ConvolutionParam>()
      .NumInputs<ConvolutionParam>([](const ConvolutionParam& p) { return p.no_bias ? 2 : 3; })
      .InputNames<ConvolutionParam>([](const ConvolutionParam& p) {
        return p.no_bias ? std::vector<std::string>{"data", "weight"}
                         : std::vector<std::string>{"data", "weight", "bias"};
      })
      .InferShape(InferConvolutionShape);
}

}  // namespace mxserve
