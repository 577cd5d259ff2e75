// SPDX-License-Identifier: Apache-2.0
// DeviceMemory: memory on one backend's device, as Backend::Allocate returns it.
#pragma once

#include <cstddef>
#include <memory>

namespace mxserve {

/// Host memory for the CPU backend (an aligned Buffer), device memory elsewhere. Shared
/// ownership: the backend's release function runs when the last copy goes.
class DeviceMemory {
 public:
  DeviceMemory() = default;
  DeviceMemory(std::shared_ptr<void> data, size_t bytes) : data_(std::move(data)), size_(bytes) {}
  void* data() const { return data_.get(); }
  size_t size() const { return size_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_.get());
  }

 private:
  std::shared_ptr<void> data_;
  size_t size_ = 0;
};

}  // namespace mxserve
