// SPDX-License-Identifier: Apache-2.0
// Element types, numbered exactly as MXNet's mshadow type flags (they appear in .params files,
// in `__dtype__` attributes and in the C predict API).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

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

/// bfloat16 <-> float32 (round to nearest even).
float Bfloat16ToFloat(uint16_t v);
uint16_t FloatToBfloat16(float v);
/// IEEE half <-> float32.
float HalfToFloat(uint16_t v);
uint16_t FloatToHalf(float v);

}  // namespace mxserve
