// SPDX-License-Identifier: Apache-2.0
// Element type table and the 16-bit float conversions.
#include "base/dtype.h"

#include <cstring>

namespace mxserve {

namespace {
struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr DTypeInfo kTable[] = {
    {DType::kFloat32, "float32", 4}, {DType::kFloat64, "float64", 8},
    {DType::kFloat16, "float16", 2}, {DType::kUint8, "uint8", 1},
    {DType::kInt32, "int32", 4},     {DType::kInt8, "int8", 1},
    {DType::kInt64, "int64", 8},     {DType::kBool, "bool", 1},
    {DType::kInt16, "int16", 2},     {DType::kUint16, "uint16", 2},
    {DType::kUint32, "uint32", 4},   {DType::kUint64, "uint64", 8},
    {DType::kBfloat16, "bfloat16", 2},
};
}  // namespace

size_t DTypeSize(DType dtype) {
  for (const auto& e : kTable)
    if (e.dtype == dtype) return e.size;
  return 0;
}

const char* DTypeName(DType dtype) {
  for (const auto& e : kTable)
    if (e.dtype == dtype) return e.name;
  return "unknown";
}

DType DTypeFromName(const std::string& name) {
  for (const auto& e : kTable)
    if (name == e.name) return e.dtype;
  if (name == "float") return DType::kFloat32;
  if (name == "double") return DType::kFloat64;
  if (name == "half") return DType::kFloat16;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return DTypeFromFlag(std::stoll(name));
  }
  return DType::kUnknown;
}

DType DTypeFromFlag(int64_t flag) {
  for (const auto& e : kTable)
    if (static_cast<int64_t>(e.dtype) == flag) return e.dtype;
  return DType::kUnknown;
}

bool IsFloatingPoint(DType dtype) {
  return dtype == DType::kFloat32 || dtype == DType::kFloat64 || dtype == DType::kFloat16 ||
         dtype == DType::kBfloat16;
}

std::vector<DType> DTypeSet::dtypes() const {
  std::vector<DType> out;
  for (int flag = 0; flag <= static_cast<int>(DType::kBfloat16); ++flag)
    if (Has(static_cast<DType>(flag))) out.push_back(static_cast<DType>(flag));
  return out;
}

std::string DTypeSet::ToString() const {
  std::string out;
  for (DType d : dtypes()) {
    if (!out.empty()) out += ", ";
    out += DTypeName(d);
  }
  return out;
}

float Bfloat16ToFloat(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToBfloat16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((bits >> 23) & 0xffu) - 127 + 15;
  uint32_t mant = bits & 0x7fffffu;
  if (((bits >> 23) & 0xffu) == 0xffu) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
  if (exp >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;
  return static_cast<uint16_t>(half);
}

}  // namespace mxserve
