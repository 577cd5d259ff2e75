// SPDX-License-Identifier: Apache-2.0
// clip: x > a_max gives a_max, else x < a_min gives a_min, else x (MXNet's order, which matters
// only when a_min > a_max). Same shape and dtype, may run in place.
#include "ops/clip.h"

#include <limits>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

ClipParam ClipParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ClipParam p;
  MXS_CHECK(r.Has("a_min") && r.Has("a_max")) << "clip needs both a_min and a_max";
  constexpr float kInf = std::numeric_limits<float>::infinity();
  p.a_min = static_cast<float>(r.OptFloat("a_min").value_or(-kInf));
  p.a_max = static_cast<float>(r.OptFloat("a_max").value_or(kInf));
  r.Finish();
  return p;
}

namespace {
void InferShape(const ClipParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
  MXS_CHECK(in[0] == out[0]) << "output has shape " << out[0].ToString() << ", input "
                             << in[0].ToString();
}
}  // namespace

MXS_REGISTER_OPS(clip) {
  r.Add("clip")
      .Aliases({"_npi_clip"})
      .Param<ClipParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
