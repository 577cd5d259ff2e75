// SPDX-License-Identifier: Apache-2.0
// stack on CUDA: input k is written into slot k of the output viewed as (outer, num_args,
// inner) (StackParam::SlotView), one strided-copy launch per input, for any dtype of 1, 2, 4 or
// 8 bytes.
#include "ops/stack.h"

#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateStack(const KernelArgs& a) {
  const auto& p = a.param<StackParam>();
  std::vector<StridedView> slots;
  for (int k = 0; k < p.num_args; ++k) slots.push_back(p.SlotView(a.in[0].shape, k));
  return MakeScatterCuda(a, slots, "stack");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, stack) {
  r.Add("stack", cuda::Adapted(cuda::CreateStack), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
