// SPDX-License-Identifier: Apache-2.0
// Flatten keeps the first axis and merges the rest. Row-major data is unchanged by that, so the
// operator is an identity for the planner (the output aliases the input, no kernel runs).
#include "ops/flatten.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

FlattenParam FlattenParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return {};
}

namespace {

void InferShape(const FlattenParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data must have at least one axis, got "
                                              << data.ToString();
  out[0] = Shape{data[0], ShapeProduct(data, 1, data.ndim())};
}

}  // namespace

MXS_REGISTER_OPS(flatten) {
  r.Add("Flatten")
      .Aliases({"flatten", "_npx_batch_flatten"})
      .Param<FlattenParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .Identity();
}

}  // namespace mxserve
