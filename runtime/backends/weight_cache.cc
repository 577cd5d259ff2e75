// SPDX-License-Identifier: Apache-2.0
#include "backends/weight_cache.h"

namespace mxserve {

std::shared_ptr<const Buffer> WeightCache::GetOrCreate(const std::string& key,
                                                       const std::function<Buffer()>& make) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(key);
  if (it != items_.end()) return it->second;
  auto buf = std::make_shared<const Buffer>(make());
  items_.emplace(key, buf);
  return buf;
}

std::shared_ptr<const Buffer> WeightCache::Find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

size_t WeightCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& kv : items_) n += kv.second->size();
  return n;
}

DeviceMemory WeightCache::GetOrCreateOnDevice(const std::string& key,
                                              const std::function<DeviceMemory()>& make) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = device_items_.find(key);
  if (it != device_items_.end()) return it->second;
  DeviceMemory m = make();
  device_items_.emplace(key, m);
  return m;
}

size_t WeightCache::device_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& kv : device_items_) n += kv.second.size();
  return n;
}

}  // namespace mxserve
