// SPDX-License-Identifier: Apache-2.0
// Element types, numbered exactly as MXNet's mshadow type flags (they appear in .params files,
// in `__dtype__` attributes and in the C predict API).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mxserve {

enum class DType : int {
  kUnknown = -1,
  kFloat32 = 0,
  kFloat64 = 1,
  kFloat16 = 2,
  kUint8 = 3,
  kInt32 = 4,
  kInt8 = 5,
  kInt64 = 6,
  kBool = 7,
  kInt16 = 8,
  kUint16 = 9,
  kUint32 = 10,
  kUint64 = 11,
  kBfloat16 = 12,
};

/// Bytes per element; 0 for kUnknown.
size_t DTypeSize(DType dtype);
/// numpy-style name ("float32", "bfloat16"...).
const char* DTypeName(DType dtype);
/// Parses a numpy-style name or an MXNet type flag written as a number; kUnknown if neither.
DType DTypeFromName(const std::string& name);
/// Converts an MXNet type flag read from a file; kUnknown for values outside the table.
DType DTypeFromFlag(int64_t flag);
bool IsFloatingPoint(DType dtype);
/// float16 or bfloat16: the dtypes of the reduced compute modes.
inline bool IsReducedFloat(DType dtype) {
  return dtype == DType::kFloat16 || dtype == DType::kBfloat16;
}

/// A set of element types, one bit per MXNet type flag (kernels declare the dtypes they read).
class DTypeSet {
 public:
  constexpr DTypeSet() = default;
  constexpr DTypeSet(std::initializer_list<DType> dtypes) {
    for (DType d : dtypes) bits_ |= Bit(d);
  }
  constexpr bool Has(DType d) const { return (bits_ & Bit(d)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint32_t bits() const { return bits_; }
  constexpr DTypeSet operator|(DTypeSet o) const { return FromBits(bits_ | o.bits_); }
  constexpr DTypeSet operator-(DTypeSet o) const { return FromBits(bits_ & ~o.bits_); }
  constexpr bool operator==(DTypeSet o) const { return bits_ == o.bits_; }
  constexpr bool operator!=(DTypeSet o) const { return bits_ != o.bits_; }
  /// The members in type-flag order.
  std::vector<DType> dtypes() const;
  /// The member names joined with ", " ("float32, int8").
  std::string ToString() const;
  /// Every dtype with an element size (all of DType but kUnknown).
  static constexpr DTypeSet All() {
    return FromBits((2u << static_cast<int>(DType::kBfloat16)) - 1);
  }

 private:
  static constexpr uint32_t Bit(DType d) {
    return d == DType::kUnknown ? 0u : 1u << static_cast<int>(d);
  }
  static constexpr DTypeSet FromBits(uint32_t bits) {
    DTypeSet s;
    s.bits_ = bits;
    return s;
  }
  uint32_t bits_ = 0;
};

/// bfloat16 <-> float32 (round to nearest even).
float Bfloat16ToFloat(uint16_t v);
uint16_t FloatToBfloat16(float v);
/// IEEE half <-> float32.
float HalfToFloat(uint16_t v);
uint16_t FloatToHalf(float v);

}  // namespace mxserve
