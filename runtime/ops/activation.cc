// SPDX-License-Identifier: Apache-2.0
// Activation: element-wise, same shape and dtype, may run in place.
#include "ops/activation.h"

#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ActivationParam ActivationParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ActivationParam p;
  p.act_type = r.Enum("act_type", "", {"relu", "sigmoid", "log_sigmoid", "mish", "tanh", "softrelu", "softsign"});
  r.Finish();
  return p;
}

namespace {
void InferShape(const ActivationParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
}
}  // namespace

MXS_REGISTER_OPS(activation) {
  r.Add("Activation")
      .Aliases({"_npx_activation"})
      .Param<ActivationParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
