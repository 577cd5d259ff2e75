// SPDX-License-Identifier: Apache-2.0
// MXNet 1.9.1's conversions between float32 and quantized tensors
// (src/operator/quantization/quantize_v2-inl.h, dequantize-inl.h, requantize-inl.h).
#pragma once

#include <optional>
#include <vector>

#include "graph/graph.h"
#include "ops/quantization.h"

namespace mxserve {

/// out_type of quantize_v2 and requantize: auto picks uint8 when the calibrated min is >= 0.
enum class QuantOutType { kAuto, kInt8, kUint8 };

/// _contrib_quantize_v2: float32 data -> int8/uint8 with a calibrated range (data, min, max).
struct QuantizeV2Param {
  QuantOutType out_type = QuantOutType::kInt8;
  CalibRange calib;    ///< calibrated output range
  QuantRanges ranges;  ///< out range; no range inputs

  static QuantizeV2Param Parse(const AttrMap& attrs);
  DType OutputDType(DType in) const;
  std::vector<int> RangeInputs() const { return {}; }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return true; }
};

/// _contrib_dequantize: (data, min, max) int8/uint8 -> float32.
struct DequantizeParam {
  QuantRanges ranges;  ///< in = {min, max}

  static DequantizeParam Parse(const AttrMap& attrs);
  std::vector<int> RangeInputs() const { return {1, 2}; }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return false; }
};

/// _contrib_requantize: (data, min, max) int32 -> int8/uint8 in the calibrated range.
struct RequantizeParam {
  QuantOutType out_type = QuantOutType::kInt8;
  CalibRange calib;    ///< calibrated output range
  QuantRanges ranges;  ///< in = {min, max} of the int32 data

  static RequantizeParam Parse(const AttrMap& attrs);
  DType OutputDType() const;
  std::vector<int> RangeInputs() const { return {1, 2}; }
  void Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes);
  bool HasRangeOutputs() const { return true; }
};

}  // namespace mxserve
