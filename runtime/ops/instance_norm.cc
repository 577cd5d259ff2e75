// SPDX-License-Identifier: Apache-2.0
// InstanceNorm: each (sample, channel) plane of data (N, C, ...) is normalised by its own mean
// and variance: out = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]. MXNet declares the
// mean and variance as hidden outputs; only the first output is visible.
#include "ops/instance_norm.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

InstanceNormParam InstanceNormParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  InstanceNormParam p;
  p.eps = static_cast<float>(r.Float("eps", 1e-3));
  r.Finish();
  return p;
}

namespace {

void InferShape(const InstanceNormParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known()) << "data shape is unknown";
  MXS_CHECK(d.ndim() >= 3) << "data must have at least 3 dimensions (N, C, ...), got "
                           << d.ToString();
  Shape c{d[1]};
  static const char* const kNames[] = {"", "gamma", "beta"};
  for (int i = 1; i < 3; ++i) {
    MXS_CHECK(!in[i].known() || in[i] == c)
        << kNames[i] << " has shape " << in[i].ToString() << ", expected " << c.ToString();
    in[i] = c;
  }
  out[0] = d;
}

}  // namespace

MXS_REGISTER_OPS(instance_norm) {
  r.Add("InstanceNorm")
      .Aliases({"_npx_instance_norm"})
      .Param<InstanceNormParam>()
      .NumInputs(3)
      .InputNames(std::vector<std::string>{"data", "gamma", "beta"})
      .InferShape(InferShape);
}

}  // namespace mxserve
