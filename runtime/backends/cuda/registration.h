// SPDX-License-Identifier: Apache-2.0
// The precision supports CUDA kernels register with: float16 and bfloat16 handled alike, either
// as the same type across a node's activations or converted (AdaptToDTypes) where they differ;
// and the dtype set of their float data.
#pragma once

#include "backends/backend.h"

namespace mxserve {
namespace cuda {

constexpr PrecisionSupport kReducedSameType{DTypeHandling::kSameType, DTypeHandling::kSameType};
constexpr PrecisionSupport kReducedConverting{DTypeHandling::kConverting,
                                              DTypeHandling::kConverting};
/// The data dtypes of the element-wise, softmax, pooling and normalisation kernels
/// (IsFloatData, dtype_adapter.h).
constexpr DTypeSet kFloatData{DType::kFloat32, DType::kFloat16, DType::kBfloat16};

}  // namespace cuda
}  // namespace mxserve
