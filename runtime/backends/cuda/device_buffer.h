// SPDX-License-Identifier: Apache-2.0
// Owned CUDA memory: DeviceBuffer (cudaMalloc on one device) and PinnedBuffer (page-locked host
// memory for staging copies). Both are move-only and free their memory on destruction; they are
// allocated at bind time or on a context's first call, never on the forward path afterwards.
#pragma once

#include <cstddef>

namespace mxserve {
namespace cuda {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates `bytes` on `device`; throws kOutOfMemory when the device is full.
  DeviceBuffer(size_t bytes, int device);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return ptr_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t size() const { return bytes_; }
  int device() const { return device_; }

 private:
  void Release() noexcept;
  void* ptr_ = nullptr;  ///< device address, null when empty
  size_t bytes_ = 0;     ///< allocated size
  int device_ = 0;       ///< owning device
};

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  /// Allocates `bytes` of page-locked host memory; throws kOutOfMemory on failure.
  explicit PinnedBuffer(size_t bytes);
  ~PinnedBuffer();
  PinnedBuffer(PinnedBuffer&& o) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& o) noexcept;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  void* data() const { return ptr_; }
  size_t size() const { return bytes_; }

 private:
  void Release() noexcept;
  void* ptr_ = nullptr;  ///< host address, null when empty
  size_t bytes_ = 0;     ///< allocated size
};

/// The calling thread's current device (where kernel factories upload weights).
int CurrentDevice();
/// Makes `device` current on the calling thread (cheap when it already is).
void SetDevice(int device);

}  // namespace cuda
}  // namespace mxserve
