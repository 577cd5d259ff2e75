// SPDX-License-Identifier: Apache-2.0
// Embedding (MXNet src/operator/tensor/indexing_op.h EmbeddingParam): rows of a
// (input_dim, output_dim) weight gathered by index.
#pragma once

#include <cstdint>

#include "base/dtype.h"
#include "graph/graph.h"

namespace mxserve {

struct EmbeddingParam {
  int64_t input_dim = 0;            ///< number of rows of the weight (vocabulary size)
  int64_t output_dim = 0;           ///< length of each row
  DType dtype = DType::kFloat32;    ///< weight and output dtype when the weight's is not known

  static EmbeddingParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
