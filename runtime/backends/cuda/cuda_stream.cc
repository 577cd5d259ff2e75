// SPDX-License-Identifier: Apache-2.0
// CudaStream.
#include "backends/cuda/cuda_stream.h"

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/device_buffer.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;

CudaStream::CudaStream(int device, bool with_handles) : device_(device) {
  SetDevice(device);
  try {
    MXS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    if (!with_handles) return;
    MXS_CUDNN_CHECK(cudnnCreate(&cudnn_));
    MXS_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
    MXS_CUBLAS_CHECK(cublasCreate(&cublas_));
    MXS_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
    // Default math: float32 products stay float32 (TF32 only when asked for), float16 products
    // may use tensor cores.
    MXS_CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
    // A workspace of its own (NVIDIA's advice for CUDA graph capture: no allocation while
    // capturing, and one workspace per stream).
    MXS_CUDA_CHECK(cudaMalloc(&cublas_workspace_, kCublasWorkspaceBytes));
    MXS_CUBLAS_CHECK(cublasSetWorkspace(cublas_, cublas_workspace_, kCublasWorkspaceBytes));
  } catch (...) {
    Release();
    throw;
  }
}

CudaStream::~CudaStream() {
  // The handles and the workspace belong to device_, whichever GPU the thread has current.
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && current != device_) cudaSetDevice(device_);
  Release();
  if (current >= 0 && current != device_) cudaSetDevice(current);
}

void CudaStream::Release() {
  if (cublas_ != nullptr) cublasDestroy(cublas_);
  if (cublas_workspace_ != nullptr) cudaFree(cublas_workspace_);
  if (cudnn_ != nullptr) cudnnDestroy(cudnn_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
  cublas_ = nullptr;
  cublas_workspace_ = nullptr;
  cudnn_ = nullptr;
  stream_ = nullptr;
}

void CudaStream::Synchronize() const { MXS_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

CudaStream& StreamOf(const RunArgs& args) {
  auto* s = dynamic_cast<CudaStream*>(args.stream);
  MXS_CHECK_CODE(s != nullptr, kInternal) << "a CUDA kernel ran without a CUDA stream";
  return *s;
}

}  // namespace cuda
}  // namespace mxserve
