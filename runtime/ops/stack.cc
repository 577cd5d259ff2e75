// SPDX-License-Identifier: Apache-2.0
// stack: every input must have the same shape; the output has num_args at `axis`, and input k
// fills slot k of it (SlotView).
#include "ops/stack.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

StackParam StackParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  StackParam p;
  p.axis = r.Int("axis", 0);
  p.num_args = static_cast<int>(r.Int("num_args"));
  r.Finish();
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  return p;
}

StridedView StackParam::SlotView(const Shape& in, int k) const {
  const int ax = NormalizeAxis(axis, in.ndim() + 1);
  const int64_t outer = ShapeProduct(in, 0, ax), inner = ShapeProduct(in, ax, in.ndim());
  return StridedView{{outer, inner}, {num_args * inner, 1}, k * inner};
}

namespace {

void InferShape(const StackParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  for (int i = 0; i < p.num_args; ++i)
    MXS_CHECK(in[i].known()) << "input " << i << " has an unknown shape";
  for (int i = 1; i < p.num_args; ++i)
    MXS_CHECK(in[i] == in[0]) << "all inputs must have the same shape, but input " << i
                              << " has shape " << in[i].ToString() << " and input 0 has shape "
                              << in[0].ToString();
  const int ax = NormalizeAxis(p.axis, in[0].ndim() + 1);
  std::vector<int64_t> o = in[0].dims();
  o.insert(o.begin() + ax, p.num_args);
  out[0] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(stack) {
  r.Add("stack")
      .Aliases({"_npi_stack"})
      .Param<StackParam>()
      .NumInputs<StackParam>([](const StackParam& p) { return p.num_args; })
      .InputNames<StackParam>([](const StackParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
