// SPDX-License-Identifier: Apache-2.0
// Activation (MXNet src/operator/nn/activation-inl.h ActivationParam).
#pragma once

#include <string>

#include "graph/graph.h"

namespace mxserve {

struct ActivationParam {
  std::string act_type;  ///< relu, sigmoid, log_sigmoid, mish, tanh, softrelu, softsign

  static ActivationParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
