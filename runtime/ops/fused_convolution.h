// SPDX-License-Identifier: Apache-2.0
// The fused convolution, one operator for two sources, named as MXNet 1.9.1 names it:
//  - MXNet's MKLDNN subgraph node _sg_mkldnn_conv (src/operator/subgraph/mkldnn/mkldnn_conv.cc):
//    a Convolution with an optional inference BatchNorm, activation, residual sum and post-sum
//    activation, described by its attributes and the nested subgraph it carries, float32 or,
//    when `quantized`, run on int8/uint8 data with calibrated output ranges;
//  - the nodes mxserve's fusion passes make of a Convolution (passes/fold_batchnorm.cc,
//    fuse_conv.cc, fuse_depthwise.cc): a folded BatchNorm as a weight scale, post-ops and a
//    fused 3x3 depthwise stage.
// Convolution itself (ops/convolution.h) holds MXNet's attributes only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/batch_norm.h"
#include "ops/convolution.h"
#include "ops/post_op.h"
#include "ops/quantization.h"

namespace mxserve {

/// A 3x3 depthwise convolution fused after a 1x1 one by passes/fuse_depthwise.cc. Its channels
/// are the 1x1 convolution's num_filter; its weight (channels, 1, 3, 3) and bias (channels) are
/// inputs of the fused node.
struct DepthwiseStage {
  int64_t kernel = 3;                ///< square kernel size
  int64_t stride = 1;                ///< same in both spatial dims (1 or 2)
  int64_t pad = 1;                   ///< symmetric zero padding, same in both spatial dims
  bool no_bias = false;              ///< no dw_bias input when true
  std::vector<ConvPostOp> post_ops;  ///< element-wise steps after the depthwise stage (no kSum)
  std::vector<float> weight_scale;   ///< per-channel factor applied to its weight when prepacked
  std::string weight_scale_key;      ///< identifies weight_scale in weight-cache keys
};

/// _sg_mkldnn_conv. Inputs: data, weight, [bias], [gamma, beta, mean, var] (with_bn),
/// [dw_weight, [dw_bias]] (depthwise), [sum] (a kSum post-op), then for quantized nodes
/// data_min, data_max, [sum_min, sum_max]; outputs: the result, and its min and max when
/// quantized.
struct FusedConvolutionParam {
  ConvolutionParam conv;             ///< the convolution
  bool with_bn = false;              ///< an inference BatchNorm whose statistics are inputs
  BatchNormParam bn;                 ///< that BatchNorm's eps and fix_gamma
  /// Element-wise steps on the output, in order; MXNet's act, sum and postsum_act.
  std::vector<ConvPostOp> post_ops;
  std::vector<float> weight_scale;   ///< per-output-channel factor applied to the weight when it
                                     ///< is prepacked (a folded BatchNorm); never parsed
  std::string weight_scale_key;      ///< identifies weight_scale in weight-cache keys
  std::optional<DepthwiseStage> depthwise;  ///< run on the output; never parsed
  bool quantized = false;            ///< int8/uint8 data, range inputs and outputs
  CalibRange calib;                  ///< calibrated output range (quantized)
  QuantRanges ranges;                ///< in = {data_min, data_max[, sum_min, sum_max]}

  /// The fused form of a plain Convolution, with nothing fused yet.
  static FusedConvolutionParam Of(const ConvolutionParam& conv);
  /// Parses an MXNet _sg_mkldnn_conv node's attributes and subgraph.
  static FusedConvolutionParam Parse(const AttrMap& attrs);

  bool has_sum() const;
  int bn_input() const { return conv.no_bias ? 2 : 3; }
  int dw_weight_input() const { return bn_input() + (with_bn ? 4 : 0); }
  int num_dw_inputs() const { return depthwise ? (depthwise->no_bias ? 1 : 2) : 0; }
  int sum_input() const { return dw_weight_input() + num_dw_inputs(); }
  int num_base_inputs() const { return sum_input() + (has_sum() ? 1 : 0); }
  int num_inputs() const { return num_base_inputs() + (quantized ? (has_sum() ? 4 : 2) : 0); }
  int num_outputs() const { return quantized ? 3 : 1; }
  /// MXNet's IsOutputUInt8: the last step is an activation that never yields negative values.
  bool OutputIsUnsigned() const;
  DType OutputDType() const;

  std::vector<int> RangeInputs() const { return InputRange(num_base_inputs(), num_inputs()); }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return quantized; }
};

/// Reads an activation node of an MXNet subgraph as a post-op; throws kUnsupported for nodes
/// that have none.
ConvPostOp SubgraphActivation(const Node& node);

/// The subgraph of an MXNet subgraph node (the kSubgraphAttr attribute), read as a Graph.
Graph ReadSubgraph(AttrReader& r);

}  // namespace mxserve
