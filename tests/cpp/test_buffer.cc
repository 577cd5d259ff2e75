// SPDX-License-Identifier: Apache-2.0
// Buffer: 64-byte alignment always; large buffers start on a 2 MiB boundary (huge pages) unless
// MXSERVE_HUGE_PAGES=0; every byte asked for is writable.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "base/buffer.h"

using mxserve::Buffer;

static bool AlignedTo(const Buffer& b, uintptr_t a) { return reinterpret_cast<uintptr_t>(b.data()) % a == 0; }

int main() {
  const bool huge = std::getenv("MXSERVE_HUGE_PAGES") == nullptr ||
                    std::strcmp(std::getenv("MXSERVE_HUGE_PAGES"), "0") != 0;
  for (size_t bytes : {size_t{1}, size_t{100}, size_t{4096}, size_t{3} << 20, size_t{4} << 20,
                       (size_t{9} << 20) + 5}) {
    Buffer b(bytes);
    if (b.size() != bytes || !AlignedTo(b, 64)) {
      std::fprintf(stderr, "buffer of %zu bytes: size %zu, not 64-byte aligned\n", bytes, b.size());
      return 1;
    }
    std::memset(b.data(), 0xab, bytes);
    const bool want_huge = huge && bytes >= (size_t{4} << 20);
    if (want_huge && !AlignedTo(b, size_t{2} << 20)) {
      std::fprintf(stderr, "buffer of %zu bytes is not on a 2 MiB boundary\n", bytes);
      return 1;
    }
  }
  return Buffer(0).data() == nullptr ? 0 : 1;
}
