// SPDX-License-Identifier: Apache-2.0
// Error checks for the CUDA runtime, cuDNN and cuBLAS: a failed call throws mxserve::Error with
// kDevice (kOutOfMemory for allocation failures, kUnsupported for what cuDNN does not take),
// naming the call and the library's message.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

namespace mxserve {
namespace cuda {

[[noreturn]] void ThrowCudaError(cudaError_t e, const char* expr);
/// kOutOfMemory for an allocation failure, kUnsupported for a configuration cuDNN does not take
/// (its NOT_SUPPORTED and BAD_PARAM categories), kDevice otherwise.
[[noreturn]] void ThrowCudnnError(cudnnStatus_t s, const char* expr);
/// True for cuDNN's host and device allocation failures.
bool CudnnOutOfMemory(cudnnStatus_t s);
[[noreturn]] void ThrowCublasError(cublasStatus_t s, const char* expr);

}  // namespace cuda
}  // namespace mxserve

#define MXS_CUDA_CHECK(expr)                                               \
  do {                                                                     \
    cudaError_t mxs_e_ = (expr);                                           \
    if (mxs_e_ != cudaSuccess) ::mxserve::cuda::ThrowCudaError(mxs_e_, #expr); \
  } while (0)

#define MXS_CUDNN_CHECK(expr)                                                          \
  do {                                                                                 \
    cudnnStatus_t mxs_s_ = (expr);                                                     \
    if (mxs_s_ != CUDNN_STATUS_SUCCESS) ::mxserve::cuda::ThrowCudnnError(mxs_s_, #expr); \
  } while (0)

#define MXS_CUBLAS_CHECK(expr)                                                           \
  do {                                                                                   \
    cublasStatus_t mxs_s_ = (expr);                                                      \
    if (mxs_s_ != CUBLAS_STATUS_SUCCESS) ::mxserve::cuda::ThrowCublasError(mxs_s_, #expr); \
  } while (0)

/// Checks the launch of the kernel just issued (bad configuration, no image for this GPU).
#define MXS_CUDA_CHECK_LAUNCH() MXS_CUDA_CHECK(cudaGetLastError())
