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

std::shared_ptr<const void> WeightCache::GetOrCreateObject(
    const std::string& key,
    const std::function<std::pair<std::shared_ptr<const void>, size_t>()>& make) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) return it->second;
  auto made = make();
  objects_.emplace(key, made.first);
  object_bytes_ += made.second;
  return made.first;
}

size_t WeightCache::object_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return object_bytes_;
}

size_t WeightCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& kv : items_) n += kv.second->size();
  return n;
}

}  // namespace mxserve
