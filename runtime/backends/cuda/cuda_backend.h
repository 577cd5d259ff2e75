// SPDX-License-Identifier: Apache-2.0
// The CUDA backend: the kernels in backends/cuda/<op>.{cu,cc}, listed by CMake into
// kernel_registry_cuda.inc, on one GPU. Built only with MXSERVE_WITH_CUDA=ON.
#pragma once

#include "backends/backend.h"

namespace mxserve {

/// The backend of GPU `device` (process-wide, created on first use). Throws kDevice naming what
/// is missing when there is no CUDA driver, no GPU, or no GPU with that index.
const Backend& CudaBackend(int device);

}  // namespace mxserve
