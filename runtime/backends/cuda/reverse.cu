// SPDX-License-Identifier: Apache-2.0
// reverse on CUDA: the input read with negative strides on the reversed axes
// (ReverseParam::View), one strided-copy launch for any dtype of 1, 2, 4 or 8 bytes.
#include "ops/reverse.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateReverse(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<ReverseParam>().View(a.in[0].shape)}, "reverse");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, reverse) {
  r.Add("reverse", cuda::Adapted(cuda::CreateReverse), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
