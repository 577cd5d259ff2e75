// SPDX-License-Identifier: Apache-2.0
// Crop: one strided gather of the (H, W) window; rows of the window are contiguous memcpys.
#include "ops/crop.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateCrop(const KernelArgs& a) {
  const auto& p = a.param<CropParam>();
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  const std::vector<int64_t> corner = p.Corner(in, out);
  const std::vector<int64_t> strides = RowMajorStrides(in.dims());
  StridedGather g(out.dims(), strides, corner[0] * strides[2] + corner[1] * strides[3],
                  static_cast<int64_t>(DTypeSize(a.in[0].dtype)));
  return std::make_unique<StridedGatherKernel>(std::vector<StridedGather>{g});
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, crop) { r.Add("Crop", cpu::CreateCrop).DTypes(dtypes::kAny); }

}  // namespace mxserve
