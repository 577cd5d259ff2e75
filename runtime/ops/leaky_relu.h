// SPDX-License-Identifier: Apache-2.0
// LeakyReLU (MXNet src/operator/leaky_relu-inl.h LeakyReLUParam).
#pragma once

#include <cstdint>
#include <string>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct LeakyReLUParam {
  std::string act_type = "leaky";  ///< leaky, prelu, rrelu, elu, selu or gelu
  float slope = 0.25f;             ///< negative slope (leaky) or exponential scale (elu)
  float lower_bound = 0.125f;      ///< rrelu: lower bound of the random slope
  float upper_bound = 0.334f;      ///< rrelu: upper bound of the random slope

  static LeakyReLUParam Parse(const AttrMap& attrs);
};

/// How prelu's gamma lines up with data: its extent on data axis 0 and on axis 1, each 1
/// (broadcast) or the data's. Gamma's dims are placed from the right on axes 1 and 0 as MXNet's
/// expand_shape does; `ok` is false when they do not fit (shape inference reports it).
struct PReluGamma {
  int64_t batch = 1, channels = 1;
  bool ok = false;
};
PReluGamma PReluGammaOf(const Shape& data, const Shape& gamma);

}  // namespace mxserve
