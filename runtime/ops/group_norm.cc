// SPDX-License-Identifier: Apache-2.0
// GroupNorm: data (N, C, *spatial) viewed as (N, G, C/G * spatial); each (sample, group) is
// normalised by its own mean and std = sqrt(var + eps), then scaled and shifted. MXNet 1.9.1
// has one gamma and beta per group; MXNet 2.0 (_npx_group_norm) one per channel: a (C,) gamma
// selects the per-channel form. Outputs out, and with output_mean_var the mean and std (N, G).
#include "ops/group_norm.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

GroupNormParam GroupNormParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  GroupNormParam p;
  p.num_groups = r.Int("num_groups", 1);
  MXS_CHECK(p.num_groups > 0) << "num_groups must be positive, got " << p.num_groups;
  p.eps = static_cast<float>(r.Float("eps", 1e-5));
  p.output_mean_var = r.Bool("output_mean_var", false);
  r.Finish();
  return p;
}

namespace {

void InferShape(const GroupNormParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known()) << "data shape is unknown";
  MXS_CHECK(d.ndim() >= 3) << "data must have at least 3 dimensions (N, C, ...), got "
                           << d.ToString();
  MXS_CHECK(d[1] % p.num_groups == 0)
      << "channels " << d[1] << " are not divisible by num_groups " << p.num_groups;
  Shape per_group{p.num_groups}, per_channel{d[1]};
  Shape want = in[1].known() && in[1] == per_channel ? per_channel : per_group;
  static const char* const kNames[] = {"", "gamma", "beta"};
  for (int i = 1; i < 3; ++i) {
    MXS_CHECK(!in[i].known() || in[i] == want)
        << kNames[i] << " has shape " << in[i].ToString() << ", expected " << per_group.ToString()
        << " (or " << per_channel.ToString() << " per channel)";
    in[i] = want;
  }
  out[0] = d;
  for (size_t i = 1; i < out.size(); ++i) out[i] = Shape({d[0], p.num_groups});
}

}  // namespace

MXS_REGISTER_OPS(group_norm) {
  r.Add("GroupNorm")
      .Aliases({"_npx_group_norm"})
      .Param<GroupNormParam>()
      .NumInputs(3)
      .NumOutputs<GroupNormParam>([](const GroupNormParam& p) { return p.output_mean_var ? 3 : 1; })
      .InputNames(std::vector<std::string>{"data", "gamma", "beta"})
      .InferShape(InferShape);
}

}  // namespace mxserve
