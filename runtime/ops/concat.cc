// SPDX-License-Identifier: Apache-2.0
// Concat: joins num_args inputs of equal rank along `dim`; every other dimension must match.
// MXNet 2 also allows dim=None, which joins the flattened inputs.
#include "ops/concat.h"

#include <string>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ConcatParam ConcatParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ConcatParam p;
  p.num_args = static_cast<int>(r.Int("num_args"));
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  p.flatten = r.Has("dim") && r.String("dim") == "None";
  if (!p.flatten) p.dim = static_cast<int>(r.Int("dim", 1));
  r.Finish();
  return p;
}

namespace {

void InferShape(const ConcatParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  for (int i = 0; i < p.num_args; ++i) MXS_CHECK(in[i].known()) << "input " << i << " has an unknown shape";
  if (p.flatten) {
    int64_t total = 0;
    for (const Shape& s : in) total += s.Size();
    out[0] = Shape{total};
    return;
  }
  const Shape& first = in[0];
  MXS_CHECK(first.ndim() >= 1) << "zero-dimensional arrays cannot be concatenated";
  int axis = p.dim < 0 ? p.dim + first.ndim() : p.dim;
  MXS_CHECK(axis >= 0 && axis < first.ndim())
      << "dim " << p.dim << " is out of range for inputs of " << first.ndim() << " dimensions";
  std::vector<int64_t> o = first.dims();
  o[axis] = 0;
  for (int i = 0; i < p.num_args; ++i) {
    const Shape& s = in[i];
    bool same = s.ndim() == first.ndim();
    for (int k = 0; same && k < s.ndim(); ++k) same = k == axis || s[k] == first[k];
    MXS_CHECK(same) << "input " << i << " has shape " << s.ToString() << ", which does not match input 0 "
                    << first.ToString() << " outside dim " << axis;
    o[axis] += s[axis];
  }
  out[0] = Shape(o);
}

}  // namespace

MXS_REGISTER_OPS(concat) {
  r.Add("Concat")
      .Aliases({"concat", "_npi_concatenate"})
      .Param<ConcatParam>()
      .NumInputs<ConcatParam>([](const ConcatParam& p) { return p.num_args; })
      .InputNames<ConcatParam>([](const ConcatParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
