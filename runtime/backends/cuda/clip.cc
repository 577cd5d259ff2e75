// SPDX-License-Identifier: Apache-2.0
// clip as one element-wise CUDA launch.
#include "ops/clip.h"

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/eltwise_kernel.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateClip(const KernelArgs& a) {
  const auto& p = a.param<ClipParam>();
  Epilogue e;
  e.Append(EltStep{0, EltAlg::kClip, p.a_min, p.a_max});
  return MakeEltwise(a, e, "clip");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, clip) {
  r.Add("clip", cuda::Adapted(cuda::CreateClip), Backend::kSameLayout, cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
