// SPDX-License-Identifier: Apache-2.0
// Whether CUDA devices can be used by this build on this machine, for error messages and for
// tests that need a GPU.
#pragma once

#include <string>

namespace mxserve {

/// True when the runtime was built with MXSERVE_WITH_CUDA=ON.
bool CudaBuilt();
/// Number of usable GPUs (0 without the CUDA backend, a driver or a device).
int CudaDeviceCount();
/// Empty when gpu(`device`) can be used; otherwise what is missing, e.g. "mxserve was built
/// without the CUDA backend (MXSERVE_WITH_CUDA=OFF)" or the CUDA runtime's message.
std::string CudaUnavailableReason(int device);

}  // namespace mxserve
