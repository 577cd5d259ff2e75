// SPDX-License-Identifier: Apache-2.0
// Convolution (MXNet src/operator/nn/convolution-inl.h ConvolutionParam).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct ConvolutionParam {
  std::vector<int64_t> kernel;   ///< spatial kernel size (1 to 3 dims)
  std::vector<int64_t> stride;   ///< defaults to 1 per dim
  std::vector<int64_t> dilate;   ///< defaults to 1 per dim
  std::vector<int64_t> pad;      ///< symmetric zero padding, defaults to 0 per dim
  int64_t num_filter = 0;        ///< output channels
  int64_t num_group = 1;         ///< groups (depthwise when equal to channels)
  bool no_bias = false;          ///< no bias input when true

  static ConvolutionParam Parse(const AttrMap& attrs);
};

/// Shape inference of Convolution (inputs data, weight, [bias]); used by the fused form too.
void InferConvolutionShape(const ConvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out);

}  // namespace mxserve
