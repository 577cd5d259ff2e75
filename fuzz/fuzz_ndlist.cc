// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: MXNDListCreate on arbitrary bytes (an MXNet .params / .nd file), then every
// array of the list read back with MXNDListGet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mxnet/c_predict_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NDListHandle list = nullptr;
  uint32_t length = 0;
  if (MXNDListCreate(reinterpret_cast<const char*>(data), static_cast<int>(size), &list,
                     &length) != 0) {
    if (MXGetLastError()[0] == '\0') abort();  // a failure must say why
    return 0;
  }
  for (uint32_t i = 0; i < length; ++i) {
    const char* key = nullptr;
    const float* values = nullptr;
    const uint32_t* shape = nullptr;
    uint32_t ndim = 0;
    if (MXNDListGet(list, i, &key, &values, &shape, &ndim) != 0) abort();
    size_t count = 1;
    for (uint32_t d = 0; d < ndim; ++d) count *= shape[d];
    volatile float sink = 0;  // touch every element so ASan sees a short buffer
    for (size_t k = 0; k < count; ++k) sink = sink + values[k];
    for (const char* c = key; *c != '\0'; ++c) sink = sink + *c;
  }
  if (MXNDListGet(list, length, nullptr, nullptr, nullptr, nullptr) == 0) abort();
  MXNDListFree(list);
  return 0;
}
