// SPDX-License-Identifier: Apache-2.0
// CudaBuilt, CudaDeviceCount and CudaUnavailableReason, in CUDA and CPU-only builds.
#include "backends/cuda_status.h"

#ifdef MXSERVE_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace mxserve {

#ifdef MXSERVE_WITH_CUDA

bool CudaBuilt() { return true; }

int CudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::string CudaUnavailableReason(int device) {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    cudaGetLastError();
    return std::string("no usable CUDA device: ") + cudaGetErrorString(e);
  }
  if (device < 0 || device >= count)
    return "no CUDA device gpu(" + std::to_string(device) + "): this machine has " +
           std::to_string(count) + " GPU" + (count == 1 ? "" : "s");
  return "";
}

#else

bool CudaBuilt() { return false; }
int CudaDeviceCount() { return 0; }
std::string CudaUnavailableReason(int) {
  return "mxserve was built without the CUDA backend (MXSERVE_WITH_CUDA=OFF)";
}

#endif

}  // namespace mxserve
