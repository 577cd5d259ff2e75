// SPDX-License-Identifier: Apache-2.0
// SequenceMask, SequenceLast and SequenceReverse (MXNet src/operator/sequence_mask-inl.h,
// sequence_last-inl.h, sequence_reverse-inl.h): data is (seq, batch, ...) for axis 0 or
// (batch, seq, ...) for axis 1, with an optional (batch,) vector of valid lengths.
#pragma once

#include <cstdint>

#include "base/dtype.h"
#include "base/host_device.h"
#include "graph/graph.h"
#include "ops/index_math.h"

namespace mxserve {

struct SequenceParam {
  bool use_sequence_length = false;  ///< a second input holds the length of each sequence
  double value = 0.0;                ///< SequenceMask: the value written past each length
  int axis = 0;                      ///< the sequence axis: 0 or 1 (SequenceReverse: 0 only)

  static SequenceParam ParseMask(const AttrMap& attrs);
  static SequenceParam ParseLast(const AttrMap& attrs);
  static SequenceParam ParseReverse(const AttrMap& attrs);
};

/// SequenceMask's parameters.
struct SequenceMaskParam : SequenceParam {
  static SequenceMaskParam Parse(const AttrMap& attrs) { return {ParseMask(attrs)}; }
};
/// SequenceLast's parameters.
struct SequenceLastParam : SequenceParam {
  static SequenceLastParam Parse(const AttrMap& attrs) { return {ParseLast(attrs)}; }
};
/// SequenceReverse's parameters.
struct SequenceReverseParam : SequenceParam {
  static SequenceReverseParam Parse(const AttrMap& attrs) { return {ParseReverse(attrs)}; }
};

/// lengths[i] of dtype `t` as an integer, as both kernels read it: floats truncated towards
/// zero as on x86-64 (NaN and values beyond int64 give INT64_MIN, which clamps to 0); 0 for a
/// dtype that holds no lengths.
MXS_HOST_DEVICE inline int64_t SequenceLengthAt(const void* p, DType t, int64_t i) {
  switch (t) {
    case DType::kFloat32: return TruncIndex(static_cast<const float*>(p)[i]);
    case DType::kFloat64: return TruncIndex(static_cast<const double*>(p)[i]);
    case DType::kFloat16: return TruncIndex(HalfBitsToFloat(static_cast<const uint16_t*>(p)[i]));
    case DType::kInt32: return static_cast<const int32_t*>(p)[i];
    case DType::kInt64: return static_cast<const int64_t*>(p)[i];
    case DType::kInt8: return static_cast<const int8_t*>(p)[i];
    case DType::kUint8: return static_cast<const uint8_t*>(p)[i];
    default: return 0;
  }
}

/// The dtypes SequenceLengthAt reads: those of the lengths input, and of the data SequenceMask
/// compares with its value.
constexpr DTypeSet kSequenceLengths{DType::kFloat32, DType::kFloat64, DType::kFloat16,
                                    DType::kInt32,   DType::kInt64,   DType::kInt8,
                                    DType::kUint8};

}  // namespace mxserve
