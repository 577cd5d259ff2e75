// SPDX-License-Identifier: Apache-2.0
// Pooling (MXNet src/operator/nn/pooling-inl.h PoolingParam).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct PoolingParam {
  std::vector<int64_t> kernel;     ///< window size per spatial dim; ignored with global_pool
  std::vector<int64_t> stride;     ///< defaults to 1 per dim
  std::vector<int64_t> pad;        ///< zero padding on both sides, defaults to 0 per dim
  std::string pool_type = "max";   ///< max, avg, sum or lp
  std::string convention = "valid";///< output size rule: valid (floor), full (ceil) or same
  bool global_pool = false;        ///< pool over the whole spatial extent
  bool count_include_pad = true;   ///< avg: divide by the window size including padding
  int p_value = 0;                 ///< lp: the power, 1 to 3 (0 when unset)

  static PoolingParam Parse(const AttrMap& attrs);
};

/// Kernel, stride and pad actually applied to data of `shape`: the input extent with no padding
/// for global pooling, the parsed values otherwise.
void PoolingWindow(const PoolingParam& p, const Shape& shape, std::vector<int64_t>& kernel,
                   std::vector<int64_t>& stride, std::vector<int64_t>& pad);

}  // namespace mxserve
