// SPDX-License-Identifier: Apache-2.0
// Model: a resolved graph and its parameters, immutable after LoadModel().
#pragma once

#include <map>
#include <memory>
#include <string>

#include "backends/weight_cache.h"
#include "base/ndarray.h"
#include "graph/graph.h"

namespace mxserve {

class Model {
 public:
  Graph graph;                                ///< resolved graph (ops looked up, params parsed)
  std::map<std::string, NDArray> params;      ///< parameters by name, "arg:"/"aux:" prefixes removed
  size_t param_bytes = 0;                     ///< total bytes of params
  std::shared_ptr<WeightCache> weights = std::make_shared<WeightCache>();  ///< prepacked weights
};

}  // namespace mxserve
