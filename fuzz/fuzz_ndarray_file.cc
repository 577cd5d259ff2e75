// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: LoadNDArrayList (0x112 lists, .npz, .npy) on arbitrary bytes; only
// mxserve::Error may come out, and every array returned holds exactly its shape's bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "base/error.h"
#include "graph/ndarray_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    mxserve::NDArrayList arrays = mxserve::LoadNDArrayList(data, size);
    volatile uint8_t sink = 0;
    for (const auto& [name, a] : arrays) {
      size_t bytes = a.nbytes();
      if (bytes != 0 && (a.data == nullptr || a.data->size() < bytes)) abort();
      const uint8_t* p = bytes != 0 ? a.data->as<uint8_t>() : nullptr;
      for (size_t k = 0; k < bytes; ++k) sink = sink ^ p[k];
      for (char c : name) sink = sink ^ static_cast<uint8_t>(c);
    }
  } catch (const mxserve::Error&) {
  }
  return 0;
}
