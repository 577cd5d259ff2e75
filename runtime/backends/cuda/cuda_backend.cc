// SPDX-License-Identifier: Apache-2.0
// The CUDA backend: one kernel table per GPU, filled from the backends/cuda/<op> files that CMake
// lists in kernel_registry_cuda.inc; device memory from cudaMalloc, pinned host memory for
// staging, copies ordered on the execution context's stream.
#include "backends/cuda/cuda_backend.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <mutex>
#include <vector>

#include "backends/backend_table.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_buffer.h"
#include "backends/kernel_listing.h"
#include "base/error.h"

namespace mxserve {

#define MXS_KERNEL_FILE(file) void RegisterKernels_cuda_##file(Backend& r);
#include "kernel_registry_cuda.inc"
#undef MXS_KERNEL_FILE

namespace cuda {
namespace {

cudaMemcpyKind ToCuda(Backend::CopyKind kind) {
  switch (kind) {
    case Backend::CopyKind::kHostToDevice: return cudaMemcpyHostToDevice;
    case Backend::CopyKind::kDeviceToHost: return cudaMemcpyDeviceToHost;
    default: return cudaMemcpyDeviceToDevice;
  }
}

/// A captured call: the instantiated CUDA graph.
class CudaRecording final : public Backend::Recording {
 public:
  explicit CudaRecording(cudaGraphExec_t exec) : exec_(exec) {}
  ~CudaRecording() override { cudaGraphExecDestroy(exec_); }
  cudaGraphExec_t get() const { return exec_; }

 private:
  cudaGraphExec_t exec_;
};

bool GraphsEnabled() {
  const char* env = std::getenv("MXSERVE_CUDA_GRAPHS");
  return env == nullptr || std::string(env) != "0";
}

class CudaBackendImpl final : public Backend {
 public:
  explicit CudaBackendImpl(int device) : device_(device) {
    MXS_CUDA_CHECK(cudaGetDeviceProperties(&props_, device));
#define MXS_KERNEL_FILE(file) RegisterKernels_cuda_##file(*this);
#include "kernel_registry_cuda.inc"
#undef MXS_KERNEL_FILE
  }
  std::string name() const override { return "cuda"; }
  Device device() const override { return Device{DeviceKind::kCuda, device_}; }

  std::vector<DType> compute_dtypes() const override {
    return {DType::kFloat32, DType::kFloat16, DType::kBfloat16};
  }
  void CheckComputeDType(DType dtype) const override {
    if (dtype == DType::kFloat32 || dtype == DType::kFloat16) return;
    MXS_CHECK_CODE(dtype == DType::kBfloat16, kUnsupported)
        << "compute dtype " << DTypeName(dtype) << " is not supported by the CUDA backend";
    MXS_CHECK_CODE(props_.major >= 8, kUnsupported)
        << "bfloat16 mode needs a GPU of compute capability 8.0 or later; " << props_.name
        << " is " << props_.major << "." << props_.minor;
  }

  /// float16 and bfloat16 convolutions run on tensor cores, whose cuDNN kernels read and write
  /// NHWC; float32 (FMA math) keeps MXNet's NCHW.
  bool PrefersChannelsLast(DType compute_dtype) const override {
    return compute_dtype != DType::kFloat32;
  }

  std::unique_ptr<Stream> CreateStream() const override {
    return std::make_unique<CudaStream>(device_);
  }
  std::unique_ptr<Stream> CreateCopyStream() const override {
    return std::make_unique<CudaStream>(device_, /*with_handles=*/false);
  }
  bool host_accessible() const override { return false; }
  DeviceMemory Allocate(size_t bytes) const override {
    auto buf = std::make_shared<DeviceBuffer>(bytes, device_);
    void* data = buf->data();
    return DeviceMemory(std::shared_ptr<void>(std::move(buf), data), bytes);
  }
  DeviceMemory AllocateHost(size_t bytes) const override {
    auto buf = std::make_shared<PinnedBuffer>(bytes);
    void* data = buf->data();
    return DeviceMemory(std::shared_ptr<void>(std::move(buf), data), bytes);
  }
  void Copy(void* dst, const void* src, size_t bytes, CopyKind kind,
            Stream* stream) const override {
    if (bytes == 0) return;
    SetDevice(device_);
    auto* s = static_cast<CudaStream*>(stream);
    MXS_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, ToCuda(kind), s ? s->get() : nullptr));
  }
  void Synchronize(Stream* stream) const override {
    SetDevice(device_);
    auto* s = static_cast<CudaStream*>(stream);
    MXS_CUDA_CHECK(s ? cudaStreamSynchronize(s->get()) : cudaDeviceSynchronize());
  }

  bool records_calls() const override {
    static const bool enabled = GraphsEnabled();
    return enabled;
  }
  void BeginRecording(Stream* stream) const override {
    // Thread-local mode: other threads may keep allocating and binding while one captures.
    MXS_CUDA_CHECK(cudaStreamBeginCapture(static_cast<CudaStream*>(stream)->get(),
                                          cudaStreamCaptureModeThreadLocal));
  }
  std::unique_ptr<Recording> EndRecording(Stream* stream) const override {
    cudaGraph_t graph = nullptr;
    MXS_CUDA_CHECK(cudaStreamEndCapture(static_cast<CudaStream*>(stream)->get(), &graph));
    cudaGraphExec_t exec = nullptr;
    cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    MXS_CUDA_CHECK(e);
    return std::make_unique<CudaRecording>(exec);
  }
  void Replay(const Recording& recording, Stream* stream) const override {
    MXS_CUDA_CHECK(cudaGraphLaunch(static_cast<const CudaRecording&>(recording).get(),
                                   static_cast<CudaStream*>(stream)->get()));
  }

  int DefaultThreads() const override { return 1; }

 protected:
  // Calls and binds only need the GPU current on the calling thread (kernel factories upload
  // weights and pick algorithms on it); host threads are not budgeted.
  int BeginScope(int, bool) const override {
    int previous = -1;
    MXS_CUDA_CHECK(cudaGetDevice(&previous));
    SetDevice(device_);
    return previous;
  }
  void EndScope(int token, bool) const override {
    if (token >= 0 && token != device_) cudaSetDevice(token);
  }

 private:
  int device_;            ///< CUDA device index
  cudaDeviceProp props_;  ///< its properties
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
    MXS_THROW(kDevice) << "no CUDA device for cuda:" << device << ": " << cudaGetErrorString(e)
                       << " (an NVIDIA driver and GPU are needed)";
  }
  MXS_CHECK_CODE(device >= 0 && device < count, kDevice)
      << "no CUDA device cuda:" << device << ": this machine has " << count << " GPU"
      << (count == 1 ? "" : "s");
  if (backends.size() < static_cast<size_t>(count)) backends.resize(count);
  if (!backends[device]) backends[device] = std::make_unique<cuda::CudaBackendImpl>(device);
  return *backends[device];
}

namespace {

// The registration functions only fill records, so they run without a GPU.
std::vector<std::string> CudaKernelNames() {
  KernelListing listing("cuda", Device{DeviceKind::kCuda, 0});
#define MXS_KERNEL_FILE(file) RegisterKernels_cuda_##file(listing);
#include "kernel_registry_cuda.inc"
#undef MXS_KERNEL_FILE
  return listing.kernel_names();
}

}  // namespace

MXS_REGISTER_BACKEND(cuda) {
  t.Add(BackendEntry{"cuda", DeviceKind::kCuda, &CudaBackend, {}, &CudaKernelNames});
}

}  // namespace mxserve
