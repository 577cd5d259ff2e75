// SPDX-License-Identifier: Apache-2.0
// LeakyReLU: element-wise activations with a parameter. prelu takes a second input, gamma,
// broadcast over axes 0 and 1 of data the way MXNet's expand_shape aligns it (usually (C,));
// rrelu has a second output, the mask, which inference fills with the fixed slope
// (lower_bound + upper_bound) / 2.
#include "ops/leaky_relu.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

LeakyReLUParam LeakyReLUParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  LeakyReLUParam p;
  p.act_type = r.Enum("act_type", "leaky", {"rrelu", "leaky", "prelu", "elu", "selu", "gelu"});
  p.slope = static_cast<float>(r.Float("slope", 0.25));
  p.lower_bound = static_cast<float>(r.Float("lower_bound", 0.125));
  p.upper_bound = static_cast<float>(r.Float("upper_bound", 0.334));
  r.Finish();
  return p;
}

PReluGamma PReluGammaOf(const Shape& data, const Shape& gamma) {
  PReluGamma r;
  int64_t axis[2] = {1, 1};
  int s = gamma.ndim() - 1;
  for (int i = std::min(data.ndim() - 1, 1); i >= 0 && s >= 0; --i) {
    if (gamma[s] == data[i] || gamma[s] == 1) axis[i] = gamma[s--];
  }
  r.batch = axis[0];
  r.channels = axis[1];
  r.ok = s == -1;
  return r;
}

namespace {

void InferShape(const LeakyReLUParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  if (p.act_type == "prelu") {
    if (!in[1].known()) in[1] = Shape{data.ndim() > 1 ? data[1] : data[0]};
    // gamma's dims line up with data's axes 0 and 1 from the right; each is 1 or equal.
    MXS_CHECK(PReluGammaOf(data, in[1]).ok)
        << "gamma of shape " << in[1].ToString() << " cannot be broadcast to data of shape "
        << data.ToString() << " along axes 0 and 1";
  }
  for (auto& o : out) o = data;
}

}  // namespace

MXS_REGISTER_OPS(leaky_relu) {
  r.Add("LeakyReLU")
      .Aliases({"_npx_leaky_relu"})
      .Param<LeakyReLUParam>()
      .NumInputs<LeakyReLUParam>([](const LeakyReLUParam& p) { return p.act_type == "prelu" ? 2 : 1; })
      .NumOutputs<LeakyReLUParam>([](const LeakyReLUParam& p) { return p.act_type == "rrelu" ? 2 : 1; })
      .InputNames<LeakyReLUParam>([](const LeakyReLUParam& p) {
        return p.act_type == "prelu" ? std::vector<std::string>{"data", "gamma"}
                                     : std::vector<std::string>{"data"};
      })
      .InferShape(InferShape)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
