// SPDX-License-Identifier: Apache-2.0
// broadcast_to, _npi_broadcast_to, broadcast_like and broadcast_axis on CUDA: the input read
// with zero strides on its size-1 axes (BroadcastView), one strided-copy launch for any dtype of
// 1, 2, 4 or 8 bytes. An empty output launches nothing.
#include "ops/broadcast_to.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateBroadcast(const KernelArgs& a) {
  return MakeGatherCuda(a, {BroadcastView(a.in[0].shape, a.out[0].shape)}, "broadcast_copy");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, broadcast_to) {
  r.Add("broadcast_to", cuda::Adapted(cuda::CreateBroadcast), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_npi_broadcast_to", cuda::Adapted(cuda::CreateBroadcast), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("broadcast_like", cuda::Adapted(cuda::CreateBroadcast), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("broadcast_axis", cuda::Adapted(cuda::CreateBroadcast), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
