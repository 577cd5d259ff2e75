// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_fully_connected: MXNet 1.9.1's MKLDNN fused FullyConnected (src/operator/subgraph/
// mkldnn/mkldnn_fc.cc): a FullyConnected with an optional element-wise activation, described by
// its attributes and nested subgraph, and, when `quantized`, run on int8/uint8 data.
#pragma once

#include <optional>
#include <vector>

#include "graph/graph.h"
#include "ops/convolution.h"
#include "ops/fully_connected.h"
#include "ops/quantization.h"

namespace mxserve {

struct FusedFullyConnectedParam {
  FullyConnectedParam fc;          ///< the FullyConnected of the subgraph
  bool quantized = false;          ///< int8/uint8 data with range inputs
  bool enable_float_output = false;  ///< quantized: float32 output, no range outputs
  bool with_eltwise = false;       ///< `eltwise` after the product
  bool channel_wise = false;       ///< float32 weight and bias quantized per output channel
  ConvPostOp eltwise;              ///< kEltwise
  std::optional<float> min_calib_range, max_calib_range;  ///< calibrated output range
  /// in = {data_min, data_max[, weight_min, weight_max[, bias_min, bias_max]]}
  QuantRanges ranges;

  int num_base_inputs() const { return fc.no_bias ? 2 : 3; }
  int num_inputs() const {
    if (!quantized) return num_base_inputs();
    return channel_wise ? num_base_inputs() + 2 : num_base_inputs() * 3;
  }
  int num_outputs() const { return quantized && !enable_float_output ? 3 : 1; }
  DType OutputDType() const;

  static FusedFullyConnectedParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const;
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return num_outputs() == 3; }
};

}  // namespace mxserve
