// SPDX-License-Identifier: Apache-2.0
// Building blocks of the data-movement kernels (creation, broadcast_to, where, ordering and
// indexing): dispatch on element size for copies, on index dtype for index reads (MXNet casts
// float indices to integers by truncation), and typed fills and stores with MXNet's casts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "base/dtype.h"
#include "base/shape.h"

namespace mxserve {
namespace cpu {

/// IEEE binary16 storage, distinct from uint16_t for overloading.
struct HalfBits {
  uint16_t bits;  ///< binary16 bits
};
/// bfloat16 storage, distinct from uint16_t for overloading.
struct Bf16Bits {
  uint16_t bits;  ///< bfloat16 bits
};

/// Calls fn(T{}) with an unsigned carrier type of `bytes` bytes (1, 2, 4 or 8); false otherwise.
template <typename Fn>
bool VisitElemSize(size_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1:
      fn(uint8_t{});
      return true;
    case 2:
      fn(uint16_t{});
      return true;
    case 4:
      fn(uint32_t{});
      return true;
    case 8:
      fn(uint64_t{});
      return true;
    default:
      return false;
  }
}

/// Calls fn(T{}) with the storage type of `dtype` (HalfBits / Bf16Bits for the 16-bit floats);
/// false for dtypes no kernel here reads (the unsigned 16/32/64-bit types).
template <typename Fn>
bool VisitValueDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32:
      fn(float{});
      return true;
    case DType::kFloat64:
      fn(double{});
      return true;
    case DType::kFloat16:
      fn(HalfBits{});
      return true;
    case DType::kBfloat16:
      fn(Bf16Bits{});
      return true;
    case DType::kUint8:
      fn(uint8_t{});
      return true;
    case DType::kInt8:
      fn(int8_t{});
      return true;
    case DType::kInt32:
      fn(int32_t{});
      return true;
    case DType::kInt64:
      fn(int64_t{});
      return true;
    case DType::kBool:
      fn(bool{});
      return true;
    default:
      return false;
  }
}

/// The value of a stored element as a double (exact for every type but the largest int64).
template <typename T>
double ToDouble(T v) {
  if constexpr (std::is_same_v<T, HalfBits>) {
    return HalfToFloat(v.bits);
  } else if constexpr (std::is_same_v<T, Bf16Bits>) {
    return Bfloat16ToFloat(v.bits);
  } else {
    return static_cast<double>(v);
  }
}

/// An index element as MXNet reads it: static_cast to int64 (floats truncate toward zero).
template <typename T>
int64_t ToIndex(T v) {
  if constexpr (std::is_same_v<T, HalfBits>) {
    return static_cast<int64_t>(HalfToFloat(v.bits));
  } else if constexpr (std::is_same_v<T, Bf16Bits>) {
    return static_cast<int64_t>(Bfloat16ToFloat(v.bits));
  } else {
    return static_cast<int64_t>(v);
  }
}

/// True when an element is non-zero (MXNet's `0 != cond`; NaN counts as non-zero).
template <typename T>
bool IsNonZero(T v) {
  if constexpr (std::is_same_v<T, HalfBits> || std::is_same_v<T, Bf16Bits>) {
    return ToDouble(v) != 0.0;
  } else {
    return v != T(0);
  }
}

/// `v` converted to storage type T with C++ static_cast semantics (16-bit floats round to
/// nearest even through float32).
template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_same_v<T, HalfBits>) {
    return HalfBits{FloatToHalf(static_cast<float>(v))};
  } else if constexpr (std::is_same_v<T, Bf16Bits>) {
    return Bf16Bits{FloatToBfloat16(static_cast<float>(v))};
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else {
    return static_cast<T>(v);
  }
}

/// Writes `n` copies of the `bytes`-byte pattern at `value` into `dst`.
inline void FillPattern(void* dst, const void* value, size_t bytes, int64_t n) {
  char* d = static_cast<char*>(dst);
  bool zero = true;
  for (size_t b = 0; b < bytes; ++b) zero = zero && static_cast<const char*>(value)[b] == 0;
  if (zero) {
    std::memset(d, 0, static_cast<size_t>(n) * bytes);
    return;
  }
  VisitElemSize(bytes, [&](auto t) {
    using T = decltype(t);
    T v;
    std::memcpy(&v, value, sizeof(T));
    std::fill_n(reinterpret_cast<T*>(d), n, v);
  });
}

/// Row-major element strides of `s`.
inline std::vector<int64_t> RowMajorStrides(const Shape& s) {
  std::vector<int64_t> st(s.ndim(), 1);
  for (int i = s.ndim() - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

}  // namespace cpu
}  // namespace mxserve
