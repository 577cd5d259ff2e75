// SPDX-License-Identifier: Apache-2.0
// EltwiseKernel.
#include "backends/cuda/eltwise_kernel.h"

#include "backends/cuda/cuda_stream.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

EltwiseKernel::EltwiseKernel(const AffineEltwiseArgs& base, DeviceMemory scale,
                             DeviceMemory shift, std::string name)
    : base_(base), scale_(std::move(scale)), shift_(std::move(shift)), name_(std::move(name)) {
  if (scale_.data() != nullptr) base_.scale = scale_.as<const float>();
  if (shift_.data() != nullptr) base_.shift = shift_.as<const float>();
}

void EltwiseKernel::Run(const RunArgs& args) const {
  AffineEltwiseArgs a = base_;
  a.x = args.in[0];
  a.y = args.out[0];
  AffineEltwise(a, StreamOf(args).get());
}

DType EltwiseDType(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE((t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16) &&
                     a.out[0].dtype == t,
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data, not " << DTypeName(t);
  return t;
}

std::unique_ptr<Kernel> MakeEltwise(const KernelArgs& a, const Epilogue& epilogue,
                                    const std::string& name) {
  AffineEltwiseArgs base;
  base.dtype = EltwiseDType(a);
  base.n = a.in[0].shape.Size();
  base.epilogue = epilogue;
  return std::make_unique<EltwiseKernel>(base, DeviceMemory(), DeviceMemory(), name);
}

}  // namespace cuda
}  // namespace mxserve
