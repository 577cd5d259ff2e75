// SPDX-License-Identifier: Apache-2.0
// MXNet 1.9.1's quantized shape and window operators (src/operator/quantization/
// quantized_pooling.cc, quantized_flatten-inl.h, quantized_concat.cc): the float operator's
// attributes on int8/uint8 data, with the range inputs and outputs of quantized tensors.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "ops/concat.h"
#include "ops/pooling.h"
#include "ops/quantization.h"

namespace mxserve {

/// _contrib_quantized_pooling: (data, min, max); max and avg pooling keep the input's range.
struct QuantizedPoolingParam {
  PoolingParam pool;
  QuantRanges ranges;  ///< in = {min, max}; out = in

  static QuantizedPoolingParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const { return {1, 2}; }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return true; }
};

/// _contrib_quantized_flatten: (data, min, max) -> (N, rest), same bytes and range.
struct QuantizedFlattenParam {
  QuantRanges ranges;  ///< in = {min, max}; out = in

  static QuantizedFlattenParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const { return {1, 2}; }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return true; }
};

/// _contrib_quantized_concat: (data_0..data_{n-1}, min_0, max_0, ..., min_{n-1}, max_{n-1}).
/// The output range is [min(0, mins), max(0, maxes)]; inputs with another scale are rescaled.
struct QuantizedConcatParam {
  ConcatParam concat;
  QuantRanges ranges;  ///< in = {min_0, max_0, ...}

  static QuantizedConcatParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const;
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return true; }
};

}  // namespace mxserve
