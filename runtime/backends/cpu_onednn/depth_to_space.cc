// SPDX-License-Identifier: Apache-2.0
// depth_to_space and space_to_depth as 6-D transposes done by one strided gather:
// depth_to_space views the input as (N, b, b, C', H, W) and reads it in the order
// (N, C', H, b, W, b); space_to_depth views it as (N, C, H', b, W', b) and reads
// (N, b, b, C, H', W').
#include "ops/depth_to_space.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> Transpose6(const KernelArgs& a, const std::vector<int64_t>& view,
                                   const std::vector<int>& order) {
  const std::vector<int64_t> strides = RowMajorStrides(view);
  std::vector<int64_t> dims, src_strides;
  for (int k : order) {
    dims.push_back(view[k]);
    src_strides.push_back(strides[k]);
  }
  StridedGather g(dims, src_strides, 0, static_cast<int64_t>(DTypeSize(a.in[0].dtype)));
  return std::make_unique<StridedGatherKernel>(std::vector<StridedGather>{g});
}

std::unique_ptr<Kernel> CreateDepthToSpace(const KernelArgs& a) {
  const int64_t b = a.param<DepthToSpaceParam>().block_size;
  const Shape& s = a.in[0].shape;
  return Transpose6(a, {s[0], b, b, s[1] / (b * b), s[2], s[3]}, {0, 3, 4, 1, 5, 2});
}

std::unique_ptr<Kernel> CreateSpaceToDepth(const KernelArgs& a) {
  const int64_t b = a.param<DepthToSpaceParam>().block_size;
  const Shape& s = a.in[0].shape;
  return Transpose6(a, {s[0], s[1], s[2] / b, b, s[3] / b, b}, {0, 3, 5, 1, 2, 4});
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, depth_to_space) {
  r.Add("depth_to_space", cpu::CreateDepthToSpace).DTypes(dtypes::kAny);
  r.Add("space_to_depth", cpu::CreateSpaceToDepth).DTypes(dtypes::kAny);
}

}  // namespace mxserve
