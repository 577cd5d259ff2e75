// SPDX-License-Identifier: Apache-2.0
// depth_to_space and space_to_depth as 6-D transposes done by one strided gather of the views
// DepthToSpaceParam::DepthToSpaceView and SpaceToDepthView describe.
#include "ops/depth_to_space.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateDepthToSpace(const KernelArgs& a) {
  return MakeStridedGather(a, {a.param<DepthToSpaceParam>().DepthToSpaceView(a.in[0].shape)});
}

std::unique_ptr<Kernel> CreateSpaceToDepth(const KernelArgs& a) {
  return MakeStridedGather(a, {a.param<DepthToSpaceParam>().SpaceToDepthView(a.in[0].shape)});
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, depth_to_space) {
  r.Add("depth_to_space", cpu::CreateDepthToSpace).DTypes(dtypes::kAny);
  r.Add("space_to_depth", cpu::CreateSpaceToDepth).DTypes(dtypes::kAny);
}

}  // namespace mxserve
