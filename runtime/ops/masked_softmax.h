// SPDX-License-Identifier: Apache-2.0
// masked_softmax (_npx_masked_softmax) and masked_log_softmax (_npx_masked_log_softmax):
// MXNet 2.0 src/operator/nn/softmax-inl.h MaskedSoftmaxParam, MaskedSoftmax.
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct MaskedSoftmaxParam {
  int axis = -1;             ///< normalised axis; negative counts from the end
  double temperature = 1.0;  ///< inputs are divided by it before exp
  bool normalize = true;     ///< subtract the row maximum first (MXNet's CPU kernel always does)

  static MaskedSoftmaxParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
