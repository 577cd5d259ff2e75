// SPDX-License-Identifier: Apache-2.0
// WeightCache: weights transformed for a kernel (reordered to a blocked format, folded,
// converted to bf16), shared by every predictor bound from one model so that reshaping to a new
// batch size does not copy them again.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/buffer.h"

namespace mxserve {

class WeightCache {
 public:
  /// Returns the buffer stored under `key`, creating it with `make` on first use. Thread-safe.
  std::shared_ptr<const Buffer> GetOrCreate(const std::string& key,
                                            const std::function<Buffer()>& make);
  /// Returns the backend object stored under `key` (e.g. a weight copy in device memory),
  /// creating it with `make` on first use; `make` also returns the object's size in bytes.
  /// Thread-safe. The object lives as long as the cache or the last holder of the pointer.
  std::shared_ptr<const void> GetOrCreateObject(
      const std::string& key,
      const std::function<std::pair<std::shared_ptr<const void>, size_t>()>& make);
  /// Bytes held in host buffers.
  size_t bytes() const;
  /// Bytes held by backend objects (device memory).
  size_t object_bytes() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Buffer>> items_;
  std::map<std::string, std::shared_ptr<const void>> objects_;  ///< backend objects by key
  size_t object_bytes_ = 0;                                     ///< their total size
};

}  // namespace mxserve
