// SPDX-License-Identifier: Apache-2.0
// Inference BatchNorm on CUDA: the per-channel factor gamma / sqrt(var + eps) and offset
// beta - mean * factor are computed once at bind time from the bound parameters and applied by
// one element-wise launch, in either layout. (A BatchNorm after a Convolution is folded into it
// before this.)
#include "ops/batch_norm.h"

#include <cmath>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/eltwise_kernel.h"
#include "backends/layouts.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateBatchNorm(const KernelArgs& a) {
  const auto& p = a.param<BatchNormParam>();
  const Shape& shape = a.in[0].shape;
  MXS_CHECK_CODE(!p.output_mean_var, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": output_mean_var has no CUDA kernel";
  for (int i = 1; i <= 4; ++i)
    MXS_CHECK_CODE(a.constants[i] != nullptr && a.constants[i]->dtype == DType::kFloat32,
                   kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel needs float32 gamma, "
        << "beta, mean and variance bound as parameters";
  const int axis = NormalizeAxis(p.axis, shape.ndim());
  const int64_t channels = shape[axis];
  const float* gamma = a.constants[1]->data->as<float>();
  const float* beta = a.constants[2]->data->as<float>();
  const float* mean = a.constants[3]->data->as<float>();
  const float* var = a.constants[4]->data->as<float>();
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const float invstd = 1.0f / std::sqrt(var[c] + static_cast<float>(p.eps));
    scale[c] = (p.fix_gamma ? 1.0f : gamma[c]) * invstd;
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  std::string key = "bn:";
  for (int i = 1; i <= 4; ++i)
    key += std::to_string(reinterpret_cast<uintptr_t>(a.constants[i]->data.get())) + ",";
  key += std::to_string(p.eps) + (p.fix_gamma ? ":fix" : "");
  const int device = CurrentDevice();
  AffineEltwiseArgs base;
  base.dtype = EltwiseDType(a);
  base.n = shape.Size();
  base.channels = channels;
  // The elements after the channel axis in memory order (none for channels-last data).
  base.inner = MemorySplit(shape, axis, a.in[0].layout).inner;
  return std::make_unique<EltwiseKernel>(base, UploadFloats(a, key + ":scale", scale, device),
                                         UploadFloats(a, key + ":shift", shift, device),
                                         "batch_norm");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, batch_norm) {
  r.Add("BatchNorm", cuda::Adapted(cuda::CreateBatchNorm), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("BatchNorm_v1", cuda::Adapted(cuda::CreateBatchNorm), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_contrib_SyncBatchNorm", cuda::Adapted(cuda::CreateBatchNorm), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
