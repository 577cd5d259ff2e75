// SPDX-License-Identifier: Apache-2.0
// hard_sigmoid: out = max(0, min(1, alpha * x + beta)) element-wise.
#include "ops/hard_sigmoid.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

HardSigmoidParam HardSigmoidParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  HardSigmoidParam p;
  p.alpha = static_cast<float>(r.Float("alpha", 0.2));
  p.beta = static_cast<float>(r.Float("beta", 0.5));
  r.Finish();
  return p;
}

namespace {

void InferShape(const HardSigmoidParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "data shape is unknown";
  out[0] = in[0];
}

}  // namespace

MXS_REGISTER_OPS(hard_sigmoid) {
  r.Add("hard_sigmoid")
      .Param<HardSigmoidParam>()
      .InputNames(std::vector<std::string>{"data"})
      .InferShape(InferShape)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
