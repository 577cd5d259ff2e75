// SPDX-License-Identifier: Apache-2.0
// _contrib_AdaptiveAvgPooling2D: average pooling of an NCHW tensor onto a fixed output size;
// output cell i of an axis of size n averages input [floor(i*n/o), ceil((i+1)*n/o)).
#include "ops/adaptive_pooling.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

AdaptiveAvgPoolParam AdaptiveAvgPoolParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  AdaptiveAvgPoolParam p;
  std::vector<int64_t> size = r.Tuple("output_size", {});
  r.Finish();
  MXS_CHECK(size.size() <= 2) << "output_size must have at most 2 entries, got " << size.size();
  if (size.size() == 1) p.out_height = p.out_width = size[0];
  if (size.size() == 2) p.out_height = size[0], p.out_width = size[1];
  MXS_CHECK(p.out_height > 0 && p.out_width > 0) << "output_size must be positive";
  return p;
}

namespace {

void InferShape(const AdaptiveAvgPoolParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  MXS_CHECK(d.known()) << "data shape is unknown";
  MXS_CHECK(d.ndim() == 4) << "data must be 4-D (N, C, H, W), got " << d.ToString();
  MXS_CHECK(d[2] > 0 && d[3] > 0) << "data has an empty spatial size " << d.ToString();
  out[0] = Shape({d[0], d[1], p.out_height, p.out_width});
}

}  // namespace

MXS_REGISTER_OPS(adaptive_pooling) {
  r.Add("_contrib_AdaptiveAvgPooling2D")
      .Param<AdaptiveAvgPoolParam>()
      .InputNames(std::vector<std::string>{"data"})
      .InferShape(InferShape);
}

}  // namespace mxserve
