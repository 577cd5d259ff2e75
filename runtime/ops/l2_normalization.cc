// SPDX-License-Identifier: Apache-2.0
// L2Normalization: out = x / sqrt(sum(x^2) + eps), the sum over every axis but the first
// (instance), over axis 1 (channel) or over the axes after 1 (spatial). MXNet declares the norm
// as a hidden second output; only the first output is visible.
#include "ops/l2_normalization.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

L2NormalizationParam L2NormalizationParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  L2NormalizationParam p;
  p.eps = static_cast<float>(r.Float("eps", 1e-10));
  p.mode = r.Enum("mode", "instance", {"instance", "channel", "spatial"});
  r.Finish();
  return p;
}

namespace {

void InferShape(const L2NormalizationParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known() && d.ndim() >= 1) << "data shape is unknown or a scalar";
  MXS_CHECK(p.mode == "instance" || d.ndim() >= 3)
      << "mode " << p.mode << " needs at least 3 dimensions, got " << d.ToString();
  out[0] = d;
}

}  // namespace

MXS_REGISTER_OPS(l2_normalization) {
  r.Add("L2Normalization")
      .Param<L2NormalizationParam>()
      .InputNames(std::vector<std::string>{"data"})
      .InferShape(InferShape);
}

}  // namespace mxserve
