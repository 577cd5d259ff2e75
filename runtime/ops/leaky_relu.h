// SPDX-License-Identifier: Apache-2.0
// LeakyReLU (MXNet src/operator/leaky_relu-inl.h LeakyReLUParam).
#pragma once

#include <string>

#include "graph/graph.h"

namespace mxserve {

struct LeakyReLUParam {
  std::string act_type = "leaky";  ///< leaky, prelu, rrelu, elu, selu or gelu
  float slope = 0.25f;             ///< negative slope (leaky) or exponential scale (elu)
  float lower_bound = 0.125f;      ///< rrelu: lower bound of the random slope
  float upper_bound = 0.334f;      ///< rrelu: upper bound of the random slope

  static LeakyReLUParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
