// SPDX-License-Identifier: Apache-2.0
// FullyConnected: out = data * weight^T + bias with weight (num_hidden, K). With flatten, data is
// viewed as (N, K) with K the product of all but the first axis; without, K is the last axis and
// the output keeps the leading axes.
#include "ops/fully_connected.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

FullyConnectedParam FullyConnectedParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FullyConnectedParam p;
  p.num_hidden = r.Int("num_hidden");
  MXS_CHECK(p.num_hidden > 0) << "num_hidden must be positive, got " << p.num_hidden;
  p.no_bias = r.Bool("no_bias", false);
  p.flatten = r.Bool("flatten", true);
  r.Finish();
  return p;
}

void InferFullyConnectedShape(const FullyConnectedParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  int64_t k = p.flatten ? ShapeProduct(data, 1, data.ndim()) : data[data.ndim() - 1];
  Shape w{p.num_hidden, k};
  MXS_CHECK(!in[1].known() || in[1] == w) << "weight has shape " << in[1].ToString() << ", expected "
                                          << w.ToString();
  in[1] = w;
  if (!p.no_bias) {
    Shape b{p.num_hidden};
    MXS_CHECK(!in[2].known() || in[2] == b) << "bias has shape " << in[2].ToString() << ", expected "
                                            << b.ToString();
    in[2] = b;
  }
  if (p.flatten) {
    out[0] = Shape{data[0], p.num_hidden};
  } else {
    std::vector<int64_t> o = data.dims();
    o.back() = p.num_hidden;
    out[0] = Shape(o);
  }
}

MXS_REGISTER_OPS(fully_connected) {
  r.Add("FullyConnected")
      .Aliases({"_npx_fully_connected"})
      .Param<FullyConnectedParam>()
      .NumInputs<FullyConnectedParam>([](const FullyConnectedParam& p) { return p.no_bias ? 2 : 3; })
      .InputNames<FullyConnectedParam>([](const FullyConnectedParam& p) {
        return p.no_bias ? std::vector<std::string>{"data", "weight"}
                         : std::vector<std::string>{"data", "weight", "bias"};
      })
      .InferShape(InferFullyConnectedShape);
}

}  // namespace mxserve
