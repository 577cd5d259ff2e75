// SPDX-License-Identifier: Apache-2.0
// MXNet 1.9.1's quantization arithmetic (src/operator/quantization/quantization_utils.h) and the
// statically known ranges of quantized tensors.
//
// A quantized tensor travels with two float32 (1,) entries, its real min and max. With calibrated
// graphs every range is a constant of the graph: passes/quantized_ranges.cc computes them at bind
// time, in topological order, and stores them in each quantized node's param (`QuantRanges`), so
// kernels build their primitives with final scales and only write the range outputs at run time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/dtype.h"
#include "graph/attr_reader.h"
#include "graph/graph.h"

namespace mxserve {

/// MXNet's kInt8Range / kUint8Range: the quantized extent used for scales (not 127 / 255).
constexpr float kInt8Range = 127.5f;
constexpr float kUint8Range = 255.5f;

inline float MaxAbs(float a, float b) { return std::max(std::fabs(a), std::fabs(b)); }

/// MXNet's GetQuantizeScale: quantized units per real unit for int8 or uint8 data.
inline float QuantizeScale(DType dtype, float min, float max) {
  const float real = MaxAbs(min, max);
  const float range = dtype == DType::kInt8 ? kInt8Range : kUint8Range;
  return real != 0.f ? range / real : static_cast<float>(std::numeric_limits<int32_t>::max());
}

/// MXNet's MinAbs(MinValue<T>, MaxValue<T>): 127 for int8, 0 for uint8, 2^31-1 for int32.
float QuantizedExtent(DType dtype);

/// Real value of one quantized level (QuantizedToFloat's scale) for int8/uint8/int32 data.
inline float DequantizeScale(DType dtype, float min, float max) {
  return MaxAbs(min, max) / QuantizedExtent(dtype);
}

/// The calibrated output range of a quantized node (attributes min_calib_range and
/// max_calib_range), absent in graphs quantized with calib_mode 'none'.
struct CalibRange {
  std::optional<float> min, max;
  bool known() const { return min.has_value(); }
  /// Reads both attributes; throws kInvalidArgument when only one is given or min exceeds max.
  static CalibRange Parse(AttrReader& r);
};

/// Indices first, first + 1, ..., last - 1: the range inputs of a node that lists them last.
std::vector<int> InputRange(int first, int last);

/// A node's range inputs (values of its min/max entries, in input order) and its output range,
/// filled by passes/quantized_ranges.cc.
struct QuantRanges {
  bool resolved = false;     ///< set by the pass; kernels refuse unresolved ranges
  std::vector<float> in;     ///< values of the node's range inputs, in input order
  float out_min = 0.f;       ///< real range of output 0 (quantized outputs only)
  float out_max = 0.f;
};

/// What passes/quantized_ranges.cc needs to know about one quantized operator.
struct QuantizedOpInfo {
  /// Indices of the node's min/max inputs.
  std::vector<int> (*range_inputs)(const void* param);
  /// Copy of `param` with `ranges` filled from the values of the range inputs and the dtypes of
  /// all inputs; throws (naming nothing: the pass adds the node) when the ranges cannot be
  /// derived at bind time.
  std::shared_ptr<const void> (*resolve)(const void* param, const std::vector<float>& values,
                                         const std::vector<DType>& in_dtypes);
  /// The resolved ranges of a param returned by `resolve`.
  const QuantRanges& (*ranges)(const void* param);
  /// Whether outputs 1 and 2 are the range of output 0.
  bool (*has_range_outputs)(const void* param);
};

/// The QuantizedOpInfo of canonical operator `op`, or null when it is not a quantized operator.
const QuantizedOpInfo* FindQuantizedOp(const std::string& op);
/// Registers `info` for `op`; used by the ops' registration functions.
void RegisterQuantizedOp(const std::string& op, QuantizedOpInfo info);

/// Helper for QuantizedOpInfo: a resolve function for Param types with a `ranges` member and a
/// `Resolve(values, dtypes)` method that fills it.
template <typename P>
QuantizedOpInfo MakeQuantizedOpInfo() {
  QuantizedOpInfo info;
  info.range_inputs = [](const void* p) { return static_cast<const P*>(p)->RangeInputs(); };
  info.resolve = [](const void* p, const std::vector<float>& values,
                    const std::vector<DType>& dtypes) -> std::shared_ptr<const void> {
    auto q = std::make_shared<P>(*static_cast<const P*>(p));
    q->Resolve(values, dtypes);
    q->ranges.resolved = true;
    return q;
  };
  info.ranges = [](const void* p) -> const QuantRanges& { return static_cast<const P*>(p)->ranges; };
  info.has_range_outputs = [](const void* p) { return static_cast<const P*>(p)->HasRangeOutputs(); };
  return info;
}

}  // namespace mxserve
