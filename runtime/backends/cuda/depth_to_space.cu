// SPDX-License-Identifier: Apache-2.0
// depth_to_space and space_to_depth on CUDA: the 6-D transposes of
// DepthToSpaceParam::DepthToSpaceView and SpaceToDepthView, one strided-copy launch each, for
// any dtype of 1, 2, 4 or 8 bytes.
#include "ops/depth_to_space.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateDepthToSpace(const KernelArgs& a) {
  const auto& p = a.param<DepthToSpaceParam>();
  return MakeGatherCuda(a, {p.DepthToSpaceView(a.in[0].shape)}, "depth_to_space");
}

std::unique_ptr<Kernel> CreateSpaceToDepth(const KernelArgs& a) {
  const auto& p = a.param<DepthToSpaceParam>();
  return MakeGatherCuda(a, {p.SpaceToDepthView(a.in[0].shape)}, "space_to_depth");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, depth_to_space) {
  r.Add("depth_to_space", cuda::Adapted(cuda::CreateDepthToSpace), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("space_to_depth", cuda::Adapted(cuda::CreateSpaceToDepth), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
