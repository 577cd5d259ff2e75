// SPDX-License-Identifier: Apache-2.0
// Translation of CUDA, cuDNN and cuBLAS status codes into mxserve::Error.
#include "backends/cuda/cuda_check.h"

#include "base/error.h"

namespace mxserve {
namespace cuda {

void ThrowCudaError(cudaError_t e, const char* expr) {
  cudaGetLastError();  // clears a sticky launch error so that later calls report their own
  if (e == cudaErrorMemoryAllocation)
    MXS_THROW(kOutOfMemory) << "CUDA out of memory in " << expr << ": " << cudaGetErrorString(e);
  MXS_THROW(kDevice) << "CUDA error in " << expr << ": " << cudaGetErrorName(e) << " ("
                     << cudaGetErrorString(e) << ")";
}

bool CudnnOutOfMemory(cudnnStatus_t s) {
  return s == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED ||
         s == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED;
}

void ThrowCudnnError(cudnnStatus_t s, const char* expr) {
  if (CudnnOutOfMemory(s)) MXS_THROW(kOutOfMemory) << "cuDNN out of memory in " << expr;
  // A configuration cuDNN does not take (at bind time such a node then runs on the CPU).
  const int category = CUDNN_STATUS_CATEGORY(s);
  if (category == CUDNN_STATUS_NOT_SUPPORTED || category == CUDNN_STATUS_BAD_PARAM)
    MXS_THROW(kUnsupported) << "cuDNN does not take " << expr << ": " << cudnnGetErrorString(s);
  MXS_THROW(kDevice) << "cuDNN error in " << expr << ": " << cudnnGetErrorString(s);
}

void ThrowCublasError(cublasStatus_t s, const char* expr) {
  if (s == CUBLAS_STATUS_ALLOC_FAILED)
    MXS_THROW(kOutOfMemory) << "cuBLAS out of memory in " << expr;
  MXS_THROW(kDevice) << "cuBLAS error in " << expr << ": " << cublasGetStatusName(s) << " ("
                     << cublasGetStatusString(s) << ")";
}

}  // namespace cuda
}  // namespace mxserve
