// SPDX-License-Identifier: Apache-2.0
// The CUDA backend: one kernel factory table per GPU, filled from the backends/cuda/<op> files
// that CMake lists in kernel_registry_cuda.inc.
#include "backends/cuda/cuda_backend.h"

#include <memory>
#include <mutex>
#include <vector>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_buffer.h"
#include "base/error.h"

namespace mxserve {

#define MXS_KERNEL_FILE(file) void RegisterKernels_cuda_##file(Backend& r);
#include "kernel_registry_cuda.inc"
#undef MXS_KERNEL_FILE

namespace cuda {
namespace {

class CudaBackendImpl final : public Backend {
 public:
  explicit CudaBackendImpl(int device) : device_(device) {
    MXS_CUDA_CHECK(cudaGetDeviceProperties(&props_, device));
#define MXS_KERNEL_FILE(file) RegisterKernels_cuda_##file(*this);
#include "kernel_registry_cuda.inc"
#undef MXS_KERNEL_FILE
  }
  std::string device() const override { return "gpu(" + std::to_string(device_) + ")"; }
  bool SupportsBfloat16() const override { return props_.major >= 8; }
  std::unique_ptr<Stream> CreateStream() const override {
    return std::make_unique<CudaStream>(device_);
  }

 private:
  int device_;             ///< CUDA device index
  cudaDeviceProp props_;   ///< its properties
};

}  // namespace

}  // namespace cuda

const Backend& CudaBackend(int device) {
  static std::mutex mu;
  static std::vector<std::unique_ptr<cuda::CudaBackendImpl>> backends;
  std::lock_guard<std::mutex> lock(mu);
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    cudaGetLastError();
    MXS_THROW(kDevice) << "no CUDA device for gpu(" << device << "): " << cudaGetErrorString(e)
                       << " (an NVIDIA driver and GPU are needed)";
  }
  MXS_CHECK_CODE(device >= 0 && device < count, kDevice)
      << "no CUDA device gpu(" << device << "): this machine has " << count << " GPU"
      << (count == 1 ? "" : "s");
  if (backends.size() < static_cast<size_t>(count)) backends.resize(count);
  if (!backends[device]) backends[device] = std::make_unique<cuda::CudaBackendImpl>(device);
  // Kernel factories upload weights to, and pick algorithms on, the current device.
  cuda::SetDevice(device);
  return *backends[device];
}

}  // namespace mxserve
