// SPDX-License-Identifier: Apache-2.0
// Crop: one strided gather of the (H, W) window (CropParam::View); rows of the window are
// contiguous memcpys.
#include "ops/crop.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateCrop(const KernelArgs& a) {
  return MakeStridedGather(a, {a.param<CropParam>().View(a.in[0].shape, a.out[0].shape)});
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, crop) { r.Add("Crop", cpu::CreateCrop).DTypes(dtypes::kAny); }

}  // namespace mxserve
