// SPDX-License-Identifier: Apache-2.0
// Embedding (MXNet src/operator/tensor/indexing_op.h EmbeddingParam): rows of a
// (input_dim, output_dim) weight gathered by index.
#pragma once

#include <cstdint>

#include "base/dtype.h"
#include "base/host_device.h"
#include "graph/graph.h"

namespace mxserve {

struct EmbeddingParam {
  int64_t input_dim = 0;            ///< number of rows of the weight (vocabulary size)
  int64_t output_dim = 0;           ///< length of each row
  DType dtype = DType::kFloat32;    ///< weight and output dtype when the weight's is not known

  static EmbeddingParam Parse(const AttrMap& attrs);
};

/// A float32 / float64 index as both kernels read it: truncated towards zero; NaN and values
/// beyond int64 clip like the largest index (0 when negative) instead of being undefined.
MXS_HOST_DEVICE inline int64_t EmbeddingFloatIndex(double d) {
  if (!(d > -9.2e18 && d < 9.2e18)) return d < 0 ? 0 : INT64_MAX;
  return static_cast<int64_t>(d);
}

/// The weight row of index j: clipped to [0, rows - 1].
MXS_HOST_DEVICE inline int64_t EmbeddingRow(int64_t j, int64_t rows) {
  return j <= 0 ? 0 : j >= rows ? rows - 1 : j;
}

}  // namespace mxserve
