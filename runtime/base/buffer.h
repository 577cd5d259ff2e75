// SPDX-License-Identifier: Apache-2.0
// Aligned, owned host memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace mxserve {

/// 64-byte aligned host allocation; move-only. Throws kOutOfMemory when allocation fails.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes);
  void* data() const { return data_.get(); }
  size_t size() const { return size_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_.get());
  }

 private:
  struct Free {
    void operator()(void* p) const;
  };
  std::unique_ptr<void, Free> data_;
  size_t size_ = 0;
};

}  // namespace mxserve
