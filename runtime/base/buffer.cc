// SPDX-License-Identifier: Apache-2.0
#include "base/buffer.h"

#include <cstdlib>

#include "base/error.h"

namespace mxserve {

Buffer::Buffer(size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) MXS_THROW(kOutOfMemory) << "failed to allocate " << bytes << " bytes";
  data_.reset(p);
}

void Buffer::Free::operator()(void* p) const { std::free(p); }

}  // namespace mxserve
