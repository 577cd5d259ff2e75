// SPDX-License-Identifier: Apache-2.0
// CudaStream: the backend state one execution context owns on a GPU: a non-blocking CUDA stream
// and the cuDNN and cuBLAS handles bound to it. Concurrent calls use different contexts, hence
// different streams and handles (neither library's handle may be shared between threads).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "backends/kernel.h"

namespace mxserve {
namespace cuda {

class CudaStream final : public Stream {
 public:
  /// Creates the stream and, `with_handles`, the library handles on `device`; throws kDevice on
  /// failure. A stream without handles serves copies only.
  explicit CudaStream(int device, bool with_handles = true);
  ~CudaStream() override;
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;

  cudaStream_t get() const { return stream_; }
  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasHandle_t cublas() const { return cublas_; }
  int device() const { return device_; }
  /// Waits until everything issued on the stream has finished; throws kDevice on a kernel fault.
  void Synchronize() const;

 private:
  void Release();  ///< destroys what was created, on the current device

  int device_;                      ///< the GPU
  cudaStream_t stream_ = nullptr;   ///< all work of the context is issued here
  cudnnHandle_t cudnn_ = nullptr;   ///< bound to stream_ (null on a copy stream)
  cublasHandle_t cublas_ = nullptr;  ///< bound to stream_, no TF32 (null on a copy stream)
  void* cublas_workspace_ = nullptr; ///< cuBLAS's workspace, fixed so that calls can be captured
};

/// The CudaStream of a kernel call; a kInternal error if the context belongs to another backend.
CudaStream& StreamOf(const RunArgs& args);

}  // namespace cuda
}  // namespace mxserve
