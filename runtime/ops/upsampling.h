// SPDX-License-Identifier: Apache-2.0
// UpSampling (MXNet src/operator/nn/upsampling-inl.h UpSamplingParam).
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"
#include "ops/deconvolution.h"

namespace mxserve {

struct UpSamplingParam {
  int64_t scale = 1;                     ///< output size = input size * scale
  int64_t num_filter = 0;                ///< channels (bilinear only)
  std::string sample_type = "nearest";   ///< nearest or bilinear
  int64_t num_args = 1;                  ///< inputs to upsample (nearest); 2 for bilinear
  std::string multi_input_mode = "concat";  ///< concat (channels) or sum, for several inputs

  bool bilinear() const { return sample_type == "bilinear"; }
  int num_inputs() const { return bilinear() ? 2 : static_cast<int>(num_args); }
  /// The grouped deconvolution MXNet runs for bilinear mode (kernel 2s - s%2, stride s,
  /// pad ceil((s - 1) / 2), one group per channel, no bias).
  DeconvolutionParam Deconvolution() const;

  static UpSamplingParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
