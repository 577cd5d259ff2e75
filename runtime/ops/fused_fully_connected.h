// SPDX-License-Identifier: Apache-2.0
// The fused FullyConnected, one operator for two sources, named as MXNet 1.9.1 names it:
//  - MXNet's MKLDNN subgraph node _sg_mkldnn_fully_connected (src/operator/subgraph/mkldnn/
//    mkldnn_fc.cc): a FullyConnected with an optional element-wise activation, described by its
//    attributes and nested subgraph, float32 or, when `quantized`, run on int8/uint8 data;
//  - the nodes passes/fuse_fully_connected.cc makes of a FullyConnected and its activation.
// FullyConnected itself (ops/fully_connected.h) holds MXNet's attributes only.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "ops/fully_connected.h"
#include "ops/post_op.h"
#include "ops/quantization.h"

namespace mxserve {

/// _sg_mkldnn_fully_connected. Inputs: data, weight, [bias], then for quantized nodes data_min,
/// data_max and, unless channel-wise, weight_min, weight_max, [bias_min, bias_max] (weight and
/// bias are int8); outputs: the result, and its min and max unless the output is float.
struct FusedFullyConnectedParam {
  FullyConnectedParam fc;            ///< the FullyConnected
  std::vector<ConvPostOp> post_ops;  ///< element-wise steps on the output (kEltwise only)
  bool quantized = false;            ///< int8/uint8 data with range inputs
  bool enable_float_output = false;  ///< quantized: float32 output, no range outputs
  bool channel_wise = false;         ///< float32 weight and bias quantized per output channel
  CalibRange calib;                  ///< calibrated output range (quantized)
  /// in = {data_min, data_max[, weight_min, weight_max[, bias_min, bias_max]]}
  QuantRanges ranges;

  /// The fused form of a plain FullyConnected, with nothing fused yet.
  static FusedFullyConnectedParam Of(const FullyConnectedParam& fc);
  /// Parses an MXNet _sg_mkldnn_fully_connected node's attributes and subgraph.
  static FusedFullyConnectedParam Parse(const AttrMap& attrs);

  int num_base_inputs() const { return fc.no_bias ? 2 : 3; }
  int num_inputs() const {
    if (!quantized) return num_base_inputs();
    return channel_wise ? num_base_inputs() + 2 : num_base_inputs() * 3;
  }
  int num_outputs() const { return quantized && !enable_float_output ? 3 : 1; }
  /// Whether the quantized output is requantized to the calibrated range.
  bool requantized() const { return quantized && !enable_float_output && calib.known(); }
  DType OutputDType() const;

  std::vector<int> RangeInputs() const { return InputRange(num_base_inputs(), num_inputs()); }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return num_outputs() == 3; }
};

}  // namespace mxserve
