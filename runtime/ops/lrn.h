// SPDX-License-Identifier: Apache-2.0
// LRN (MXNet src/operator/nn/lrn-inl.h LRNParam).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct LRNParam {
  float alpha = 1e-4f;  ///< variance scale; MXNet divides it by nsize
  float beta = 0.75f;   ///< power
  float knorm = 2.0f;   ///< additive constant
  int64_t nsize = 0;    ///< channels in the normalisation window

  static LRNParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
