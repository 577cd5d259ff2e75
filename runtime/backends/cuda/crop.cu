// SPDX-License-Identifier: Apache-2.0
// Crop on CUDA: the (H, W) window at the op's corner (CropParam::View) copied by one
// strided-copy launch, for any dtype of 1, 2, 4 or 8 bytes.
#include "ops/crop.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateCrop(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<CropParam>().View(a.in[0].shape, a.out[0].shape)}, "crop");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, crop) {
  r.Add("Crop", cuda::Adapted(cuda::CreateCrop), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
