// SPDX-License-Identifier: Apache-2.0
// Deconvolution (transposed convolution): inputs data (N, C, *spatial), weight
// (C, F/G, *kernel), bias (F) unless no_bias. Output spatial size =
// stride * (in - 1) + dilate * (kernel - 1) + 1 - 2 * pad + adj, with pad and adj derived from
// target_shape when it is set (MXNet's InferPad).
#include "ops/deconvolution.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

DeconvolutionParam DeconvolutionParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  DeconvolutionParam p;
  p.kernel = r.Tuple("kernel");
  const size_t nd = p.kernel.size();
  MXS_CHECK(nd >= 1 && nd <= 3) << "kernel must have 1 to 3 dimensions, got " << nd;
  p.stride = r.Tuple("stride", {});
  p.dilate = r.Tuple("dilate", {});
  p.pad = r.Tuple("pad", {});
  p.adj = r.Tuple("adj", {});
  p.target_shape = r.Tuple("target_shape", {});
  if (p.stride.empty()) p.stride.assign(nd, 1);
  if (p.dilate.empty()) p.dilate.assign(nd, 1);
  if (p.pad.empty()) p.pad.assign(nd, 0);
  if (p.adj.empty()) p.adj.assign(nd, 0);
  MXS_CHECK(p.stride.size() == nd && p.dilate.size() == nd && p.pad.size() == nd &&
            p.adj.size() == nd)
      << "kernel, stride, dilate, pad and adj must have the same length";
  MXS_CHECK(p.target_shape.empty() || p.target_shape.size() == nd)
      << "target_shape must have as many entries as kernel";
  for (size_t i = 0; i < nd; ++i) {
    MXS_CHECK(p.kernel[i] > 0 && p.stride[i] > 0 && p.dilate[i] > 0 && p.pad[i] >= 0 &&
              p.adj[i] >= 0)
        << "kernel, stride and dilate must be positive, pad and adj non-negative";
  }
  for (int64_t t : p.target_shape) MXS_CHECK(t >= 0) << "target_shape must be non-negative";
  if (nd == 3) {
    for (int64_t d : p.dilate) MXS_CHECK(d == 1) << "dilate is not supported for 3-D kernels";
  }
  p.num_filter = r.Int("num_filter");
  MXS_CHECK(p.num_filter > 0) << "num_filter must be positive";
  p.num_group = r.Int("num_group", 1);
  MXS_CHECK(p.num_group > 0 && p.num_filter % p.num_group == 0)
      << "num_filter " << p.num_filter << " is not divisible by num_group " << p.num_group;
  p.no_bias = r.Bool("no_bias", true);
  std::string layout = r.String("layout", "None");
  MXS_CHECK_CODE(layout == "None" || layout == "NCW" || layout == "NCHW" || layout == "NCDHW",
                 kUnsupported)
      << "layout " << layout << " is not supported (channels-first only)";
  r.Ignore({"workspace", "cudnn_tune", "cudnn_off"});
  r.Finish();
  return p;
}

bool DeconvolutionParam::has_target() const {
  for (int64_t t : target_shape)
    if (t != 0) return true;
  return false;
}

void DeconvolutionParam::InferPad(const std::vector<int64_t>& in, std::vector<int64_t>& pad_out,
                                  std::vector<int64_t>& adj_out) const {
  const size_t nd = kernel.size();
  pad_out = pad;
  adj_out = adj;
  if (!has_target()) return;
  for (size_t i = 0; i < nd; ++i) {
    int64_t full = stride[i] * (in[i] - 1) + 1 + (kernel[i] - 1) * dilate[i];
    MXS_CHECK(full >= target_shape[i])
        << "target_shape " << target_shape[i] << " is larger than the full output " << full
        << " in spatial dimension " << i;
    full -= target_shape[i];
    adj_out[i] = full % 2;
    pad_out[i] = (full + 1) / 2;
  }
}

namespace {

void InferShape(const DeconvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known()) << "data shape is unknown";
  const int nd = static_cast<int>(p.kernel.size());
  MXS_CHECK(data.ndim() == nd + 2) << "data must have " << nd + 2 << " dimensions for a " << nd
                                   << "-D kernel, got " << data.ToString();
  const int64_t channels = data[1];
  MXS_CHECK(channels % p.num_group == 0) << "input channels " << channels
                                         << " are not divisible by num_group " << p.num_group;
  std::vector<int64_t> w{channels, p.num_filter / p.num_group};
  w.insert(w.end(), p.kernel.begin(), p.kernel.end());
  Shape wshape(w);
  MXS_CHECK(!in[1].known() || in[1] == wshape)
      << "weight has shape " << in[1].ToString() << ", expected " << wshape.ToString();
  in[1] = wshape;
  if (!p.no_bias) {
    Shape b{p.num_filter};
    MXS_CHECK(!in[2].known() || in[2] == b)
        << "bias has shape " << in[2].ToString() << ", expected " << b.ToString();
    in[2] = b;
  }
  std::vector<int64_t> spatial(data.dims().begin() + 2, data.dims().end());
  std::vector<int64_t> pad, adj;
  p.InferPad(spatial, pad, adj);
  std::vector<int64_t> o{data[0], p.num_filter};
  for (int i = 0; i < nd; ++i) {
    MXS_CHECK(adj[i] < p.stride[i]) << "adj " << adj[i] << " must be smaller than stride "
                                    << p.stride[i] << " in spatial dimension " << i;
    int64_t size = p.stride[i] * (spatial[i] - 1) + 1 + (p.kernel[i] - 1) * p.dilate[i] -
                   2 * pad[i] + adj[i];
    MXS_CHECK(size > 0) << "output size " << size << " is not positive in spatial dimension "
                        << i;
    if (!p.target_shape.empty() && p.target_shape[i] > 0) {
      MXS_CHECK(size == p.target_shape[i])
          << "target_shape " << p.target_shape[i] << " cannot be reached, output is " << size;
    }
    o.push_back(size);
  }
  out[0] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(deconvolution) {
  r.Add("Deconvolution")
      .Aliases({"_npx_deconvolution"})
      .Param<DeconvolutionParam>()
      .NumInputs<DeconvolutionParam>([](const DeconvolutionParam& p) { return p.num_inputs(); })
      .InputNames<DeconvolutionParam>([](const DeconvolutionParam& p) {
        std::vector<std::string> names{"data", "weight"};
        if (!p.no_bias) names.push_back("bias");
        return names;
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
