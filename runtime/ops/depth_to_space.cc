// SPDX-License-Identifier: Apache-2.0
// depth_to_space: (N, C, H, W) -> (N, C / b^2, H * b, W * b); space_to_depth the inverse. Every
// dim must be non-zero, as MXNet checks. Both kernels copy a 6-D transpose of the input.
#include "ops/depth_to_space.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

DepthToSpaceParam DepthToSpaceParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  DepthToSpaceParam p;
  p.block_size = r.Int("block_size");
  r.Finish();
  MXS_CHECK(p.block_size > 0) << "block_size must be a positive integer, got " << p.block_size;
  return p;
}

namespace {

// The row-major tensor of dims `view` read in the order of its dims `order`.
StridedView Permuted(const std::vector<int64_t>& view, const std::vector<int>& order) {
  const std::vector<int64_t> strides = RowMajorStrides(view);
  StridedView v;
  for (int k : order) {
    v.dims.push_back(view[k]);
    v.strides.push_back(strides[k]);
  }
  return v;
}

}  // namespace

StridedView DepthToSpaceParam::DepthToSpaceView(const Shape& s) const {
  const int64_t b = block_size;
  return Permuted({s[0], b, b, s[1] / (b * b), s[2], s[3]}, {0, 3, 4, 1, 5, 2});
}

StridedView DepthToSpaceParam::SpaceToDepthView(const Shape& s) const {
  const int64_t b = block_size;
  return Permuted({s[0], s[1], s[2] / b, b, s[3] / b, b}, {0, 3, 5, 1, 2, 4});
}

namespace {

void CheckInput(const Shape& s) {
  MXS_CHECK(s.ndim() == 4) << "the input must be 4-D (N, C, H, W), got " << s.ToString();
  for (int i = 0; i < 4; ++i)
    MXS_CHECK(s[i] != 0) << "dimension " << i << " of " << s.ToString() << " is 0";
}

void InferDepthToSpace(const DepthToSpaceParam& p, std::vector<Shape>& in,
                       std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  const Shape& s = in[0];
  CheckInput(s);
  const int64_t b = p.block_size;
  MXS_CHECK(s[1] % (b * b) == 0) << "the depth " << s[1]
                                 << " is not a multiple of block_size^2 = " << b * b;
  out[0] = Shape{s[0], s[1] / (b * b), s[2] * b, s[3] * b};
}

void InferSpaceToDepth(const DepthToSpaceParam& p, std::vector<Shape>& in,
                       std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  const Shape& s = in[0];
  CheckInput(s);
  const int64_t b = p.block_size;
  MXS_CHECK(s[2] % b == 0 && s[3] % b == 0)
      << "height " << s[2] << " and width " << s[3] << " must be multiples of block_size " << b;
  out[0] = Shape{s[0], s[1] * b * b, s[2] / b, s[3] / b};
}

}  // namespace

MXS_REGISTER_OPS(depth_to_space) {
  r.Add("depth_to_space").Param<DepthToSpaceParam>().NumInputs(1).InferShape(InferDepthToSpace);
  r.Add("space_to_depth").Param<DepthToSpaceParam>().NumInputs(1).InferShape(InferSpaceToDepth);
}

}  // namespace mxserve
