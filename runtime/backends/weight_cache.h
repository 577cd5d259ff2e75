// SPDX-License-Identifier: Apache-2.0
// WeightCache: weights transformed for a kernel (reordered to a blocked format, folded,
// converted to bf16) and weights uploaded to a device, shared by every predictor bound from one
// model so that reshaping to a new batch size does not copy them again.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backends/device_memory.h"
#include "base/buffer.h"

namespace mxserve {

class WeightCache {
 public:
  /// Returns the buffer stored under `key`, creating it with `make` on first use. Thread-safe.
  std::shared_ptr<const Buffer> GetOrCreate(const std::string& key,
                                            const std::function<Buffer()>& make);
  /// The buffer stored under `key`, or null. Thread-safe.
  std::shared_ptr<const Buffer> Find(const std::string& key) const;
  /// The same for device memory (a parameter uploaded to a GPU); keys name the device.
  DeviceMemory GetOrCreateOnDevice(const std::string& key,
                                   const std::function<DeviceMemory()>& make);
  /// Bytes held on the host.
  size_t bytes() const;
  /// Bytes held on devices.
  size_t device_bytes() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Buffer>> items_;
  std::map<std::string, DeviceMemory> device_items_;
};

}  // namespace mxserve
