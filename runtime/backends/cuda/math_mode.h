// SPDX-License-Identifier: Apache-2.0
// The float32 math of the CUDA backend: exact float32 (FMA) unless the user asks for TF32
// tensor cores with MXSERVE_CUDA_TF32=1, read when a kernel is planned (bind time), so a
// predictor keeps the math it was bound with.
#pragma once

namespace mxserve {
namespace cuda {

/// True when MXSERVE_CUDA_TF32=1: float32 convolutions, RNNs and matrix products may use TF32.
bool Tf32Requested();

}  // namespace cuda
}  // namespace mxserve
