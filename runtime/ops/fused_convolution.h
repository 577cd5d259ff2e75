// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_conv: MXNet 1.9.1's MKLDNN fused convolution (src/operator/subgraph/mkldnn/
// mkldnn_conv.cc): a Convolution with an optional inference BatchNorm, activation, residual sum
// and post-sum activation, described by its attributes and the nested subgraph it carries, and,
// when `quantized`, run on int8/uint8 data with calibrated output ranges.
#pragma once

#include <optional>
#include <vector>

#include "graph/graph.h"
#include "ops/batch_norm.h"
#include "ops/convolution.h"
#include "ops/quantization.h"

namespace mxserve {

struct FusedConvolutionParam {
  ConvolutionParam conv;       ///< the Convolution of the subgraph
  bool with_bn = false;        ///< inputs gamma, beta, mean, var follow; folded at bind time
  bool with_act = false;       ///< `act` after the convolution (and BatchNorm)
  bool with_sum = false;       ///< a residual input is added (after `act`, if any)
  bool with_postsum_act = false;  ///< `postsum_act` after the sum
  bool quantized = false;      ///< int8/uint8 data, range inputs and outputs
  BatchNormParam bn;           ///< the subgraph's BatchNorm (eps, fix_gamma)
  ConvPostOp act;              ///< kEltwise: relu, logistic, tanh, soft_relu or clip
  ConvPostOp postsum_act;      ///< kEltwise, as `act`
  std::optional<float> min_calib_range, max_calib_range;  ///< calibrated output range
  QuantRanges ranges;          ///< in = {data_min, data_max[, sum_min, sum_max]}

  bool has_bias() const { return with_bn || !conv.no_bias; }
  int bias_input() const { return 2; }
  int bn_input() const { return conv.no_bias ? 2 : 3; }
  int sum_input() const { return bn_input() + (with_bn ? 4 : 0); }
  int num_base_inputs() const { return sum_input() + (with_sum ? 1 : 0); }
  int num_inputs() const { return num_base_inputs() + (quantized ? (with_sum ? 4 : 2) : 0); }
  /// MXNet's IsOutputUInt8: the last activation never yields negative values.
  bool OutputIsUnsigned() const;
  DType OutputDType() const;

  static FusedConvolutionParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const;
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return quantized; }
};

/// Reads an MXNet activation node of a fused subgraph (Activation, LeakyReLU or clip) as a
/// post-op with MXNet's MKLDNN algorithm and parameters; throws kUnsupported for other ops.
ConvPostOp SubgraphActivation(const Node& node);

}  // namespace mxserve
