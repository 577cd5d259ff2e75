// SPDX-License-Identifier: Apache-2.0
// DeviceBuffer and PinnedBuffer.
#include "backends/cuda/device_buffer.h"

#include <utility>

#include "backends/cuda/cuda_check.h"

namespace mxserve {
namespace cuda {

int CurrentDevice() {
  int current = 0;
  MXS_CUDA_CHECK(cudaGetDevice(&current));
  return current;
}

void SetDevice(int device) {
  int current = -1;
  MXS_CUDA_CHECK(cudaGetDevice(&current));
  if (current != device) MXS_CUDA_CHECK(cudaSetDevice(device));
}

DeviceBuffer::DeviceBuffer(size_t bytes, int device) : bytes_(bytes), device_(device) {
  if (bytes == 0) return;
  SetDevice(device);
  MXS_CUDA_CHECK(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer::~DeviceBuffer() { Release(); }

DeviceBuffer::DeviceBuffer(DeviceBuffer&& o) noexcept
    : ptr_(std::exchange(o.ptr_, nullptr)),
      bytes_(std::exchange(o.bytes_, 0)),
      device_(o.device_) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    Release();
    ptr_ = std::exchange(o.ptr_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
    device_ = o.device_;
  }
  return *this;
}

void DeviceBuffer::Release() noexcept {
  if (ptr_ == nullptr) return;
  // cudaFree synchronises the device, so memory is never released under a running kernel.
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && current != device_) cudaSetDevice(device_);
  cudaFree(ptr_);
  if (current >= 0 && current != device_) cudaSetDevice(current);
  ptr_ = nullptr;
  bytes_ = 0;
}

PinnedBuffer::PinnedBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  MXS_CUDA_CHECK(cudaMallocHost(&ptr_, bytes));
}

PinnedBuffer::~PinnedBuffer() { Release(); }

PinnedBuffer::PinnedBuffer(PinnedBuffer&& o) noexcept
    : ptr_(std::exchange(o.ptr_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& o) noexcept {
  if (this != &o) {
    Release();
    ptr_ = std::exchange(o.ptr_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

void PinnedBuffer::Release() noexcept {
  if (ptr_ != nullptr) cudaFreeHost(ptr_);
  ptr_ = nullptr;
  bytes_ = 0;
}

}  // namespace cuda
}  // namespace mxserve
