// SPDX-License-Identifier: Apache-2.0
#include "base/buffer.h"

#include <cstdlib>
#include <cstring>

#include "base/error.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mxserve {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// Large buffers (the activation arena of a batch, big prepacked weights) are placed on 2 MiB
// boundaries and advised for transparent huge pages: convolutions stream through them, and with
// 4 KiB pages the TLB misses cost several percent at batch 8. Where THP is "never" the advice
// is ignored. MXSERVE_HUGE_PAGES=0 turns it off.
bool UseHugePages() {
  static const bool on = [] {
    const char* env = std::getenv("MXSERVE_HUGE_PAGES");
    return env == nullptr || std::strcmp(env, "0") != 0;
  }();
  return on;
}

}  // namespace

Buffer::Buffer(size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  size_t align = 64;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= 2 * kHugePage && UseHugePages()) align = kHugePage;
#endif
  size_t rounded = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, rounded);
  if (p == nullptr) MXS_THROW(kOutOfMemory) << "failed to allocate " << bytes << " bytes";
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (align == kHugePage) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: errors are harmless
#endif
  data_.reset(p);
}

void Buffer::Free::operator()(void* p) const { std::free(p); }

}  // namespace mxserve
