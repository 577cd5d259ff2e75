// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: MXPredCreate from a symbol JSON and params bytes, then, when the model binds,
// a forward pass and every output read back. The input is laid out as fuzz/make_corpus.py writes
// it: one byte batch size, two bytes (little-endian) feature count of the input "data", four
// bytes symbol length, the symbol JSON, and the params bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mxnet/c_predict_api.h"

namespace {

uint32_t ReadLe(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void RunForward(PredictorHandle pred, uint32_t elements) {
  std::vector<float> input(elements);
  for (uint32_t i = 0; i < elements; ++i) input[i] = static_cast<float>(i % 7) - 3.0f;
  if (MXPredSetInput(pred, "data", input.data(), elements) != 0) return;
  if (MXPredForward(pred) != 0) return;
  for (uint32_t index = 0;; ++index) {
    uint32_t* shape = nullptr;
    uint32_t ndim = 0;
    if (MXPredGetOutputShape(pred, index, &shape, &ndim) != 0) break;
    uint64_t count = 1;
    for (uint32_t d = 0; d < ndim; ++d) count *= shape[d];
    if (count > (uint64_t{1} << 26)) continue;  // an output too large to copy here is fine
    std::vector<float> out(static_cast<size_t>(count));
    MXPredGetOutput(pred, index, out.data(), static_cast<uint32_t>(count));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 7) return 0;
  uint32_t batch = data[0] % 4 + 1;
  uint32_t features = ReadLe(data + 1, 2) % 4096 + 1;
  size_t symbol_size = ReadLe(data + 3, 4);
  data += 7;
  size -= 7;
  if (symbol_size > size) symbol_size = size;
  std::string symbol(reinterpret_cast<const char*>(data), symbol_size);
  const uint8_t* params = data + symbol_size;
  int params_size = static_cast<int>(size - symbol_size);

  const char* keys[] = {"data"};
  const uint32_t indptr[] = {0, 2};
  const uint32_t shape[] = {batch, features};
  PredictorHandle pred = nullptr;
  if (MXPredCreate(symbol.c_str(), params, params_size, 1, 0, 1, keys, indptr, shape, &pred) !=
      0) {
    if (MXGetLastError()[0] == '\0') abort();  // a failure must say why
    return 0;
  }
  RunForward(pred, batch * features);
  MXPredFree(pred);
  return 0;
}
