// SPDX-License-Identifier: Apache-2.0
// Deconvolution (MXNet src/operator/nn/deconvolution-inl.h DeconvolutionParam).
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct DeconvolutionParam {
  std::vector<int64_t> kernel;        ///< spatial kernel size (1 to 3 dims)
  std::vector<int64_t> stride;        ///< defaults to 1 per dim
  std::vector<int64_t> dilate;        ///< defaults to 1 per dim
  std::vector<int64_t> pad;           ///< symmetric padding of the matching convolution
  std::vector<int64_t> adj;           ///< extra output rows at the end, defaults to 0 per dim
  std::vector<int64_t> target_shape;  ///< output spatial size; 0 entries (or empty) unset
  int64_t num_filter = 0;             ///< output channels
  int64_t num_group = 1;              ///< groups
  bool no_bias = true;                ///< no bias input when true (MXNet's default)

  /// True when some target_shape entry is set: pad and adj are then derived from it.
  bool has_target() const;
  /// MXNet's InferPad: the padding and adjustment used for an input of spatial size `in`.
  void InferPad(const std::vector<int64_t>& in, std::vector<int64_t>& pad_out,
                std::vector<int64_t>& adj_out) const;
  int num_inputs() const { return no_bias ? 2 : 3; }

  static DeconvolutionParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
