// SPDX-License-Identifier: Apache-2.0
// NpFn (ops/np_elemwise.h) on one pair of values of the element type T, the arithmetic of the
// CPU kernel (cpu_onednn/np_elemwise.cc) written for the device: remainders and integer
// quotients in double, integer results converted from floating point as x86's truncating
// conversion does (out-of-range values and NaN give the type's lowest value for 32 and 64 bits,
// the low bits of that for narrower types), gcd and lcm on the magnitudes in the unsigned type.
// The functions are host-and-device, so a host program can run the same code.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ops/np_elemwise.h"

#ifdef __CUDACC__
#define MXS_NP_HD __host__ __device__ __forceinline__
#else
#define MXS_NP_HD inline
#endif

namespace mxserve {
namespace cuda {
namespace np {

/// True when `fn` has a definition on element type T (as the CPU kernel's VisitNpFn does).
template <typename T>
constexpr bool Defined(NpFn fn) {
  switch (fn) {
    case NpFn::kHypot:
    case NpFn::kArctan2:
      return std::is_floating_point_v<T>;
    case NpFn::kBitwiseAnd:
    case NpFn::kBitwiseOr:
    case NpFn::kBitwiseXor:
    case NpFn::kBitwiseNot:
      return !std::is_floating_point_v<T>;
    case NpFn::kGcd:
    case NpFn::kLcm:
      return std::is_integral_v<T> && !std::is_same_v<T, bool>;
    default:
      return true;
  }
}

/// static_cast<T>(v) as compiled for x86-64: floating point and bool convert as C++ does;
/// integers truncate toward zero, an out-of-range or NaN value giving the lowest value of the
/// 32- or 64-bit type (narrower types keep the low bits of the 32-bit result).
template <typename T>
MXS_NP_HD T FromDouble(double v) {
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, bool>) {
    return static_cast<T>(v);
  } else if constexpr (sizeof(T) == 8) {
    const bool in_range = v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    return in_range ? static_cast<T>(v) : std::numeric_limits<int64_t>::min();
  } else {
    const bool in_range = v > -2147483649.0 && v < 2147483648.0;
    const int32_t w = in_range ? static_cast<int32_t>(v) : std::numeric_limits<int32_t>::min();
    return static_cast<T>(w);
  }
}

/// numpy remainder: fmod in double moved to the divisor's sign; 0 for a zero divisor.
template <typename T>
MXS_NP_HD T Mod(T a, T b) {
  if (b == T(0)) return T(0);
  if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>) {
    return FromDouble<T>(::fmod(static_cast<double>(a), static_cast<double>(b)));
  } else {
    double r = ::fmod(static_cast<double>(a), static_cast<double>(b));
    if (r != 0 && ((r < 0) != (b < T(0)))) r += static_cast<double>(b);
    return FromDouble<T>(r);
  }
}

/// floor(a / b): in T for floating point, in double for integers (0 for a zero divisor).
template <typename T>
MXS_NP_HD T FloorDivide(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return b ? a : false;
  } else if constexpr (std::is_integral_v<T>) {
    if (b == T(0)) return T(0);
    return FromDouble<T>(::floor(static_cast<double>(a) / static_cast<double>(b)));
  } else if constexpr (std::is_same_v<T, float>) {
    return floorf(a / b);
  } else {
    return ::floor(a / b);
  }
}

/// 2^b in float: exact for integral b, else pow in double rounded to float.
MXS_NP_HD float Exp2f(float b) {
  if (b == floorf(b) && b >= -1000.f && b <= 1000.f) {
    return static_cast<float>(::ldexp(1.0, static_cast<int>(b)));
  }
  return static_cast<float>(::pow(2.0, static_cast<double>(b)));
}

/// sqrt(a^2 + b^2) for float: the squares and their sum in double (exact squares, one rounded
/// sum, never fused), the root rounded to float; infinities win over NaN.
MXS_NP_HD float Hypotf(float a, float b) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (fabsf(a) == kInf || fabsf(b) == kInf) return kInf;
  if (a != a || b != b) return a + b;
  const double da = a, db = b;
#ifdef __CUDA_ARCH__
  const double s = __dadd_rn(__dmul_rn(da, da), __dmul_rn(db, db));
#else
  const double s = da * da + db * db;
#endif
  return static_cast<float>(::sqrt(s));
}

/// a when a and b have the same sign (both >= 0 or both < 0, so NaN takes -a), else -a.
template <typename T>
MXS_NP_HD T Copysign(T a, T b) {
  if constexpr (std::is_unsigned_v<T>) {
    return a;
  } else {
    return ((a >= T(0) && b >= T(0)) || (a < T(0) && b < T(0))) ? a : static_cast<T>(-a);
  }
}

/// The unsigned magnitude of a: two's-complement negation in the unsigned type.
template <typename U, typename T>
MXS_NP_HD U Magnitude(T a) {
  if constexpr (std::is_unsigned_v<T>) {
    return static_cast<U>(a);
  } else {
    return a < T(0) ? static_cast<U>(U(0) - static_cast<U>(a)) : static_cast<U>(a);
  }
}

/// Greatest common divisor of two unsigned values (Euclid); gcd(0, 0) = 0.
template <typename U>
MXS_NP_HD U GcdU(U a, U b) {
  while (b != U(0)) {
    const U t = static_cast<U>(a % b);
    a = b;
    b = t;
  }
  return a;
}

/// fn(a, b) for the functions that give T (not the logical ones); 0 where undefined.
template <typename T>
MXS_NP_HD T Apply(NpFn fn, T a, T b) {
  switch (fn) {
    case NpFn::kMod:
      return Mod(a, b);
    case NpFn::kFloorDivide:
      return FloorDivide(a, b);
    case NpFn::kFmod:
      return b == T(0) ? T(0)
                       : FromDouble<T>(::fmod(static_cast<double>(a), static_cast<double>(b)));
    case NpFn::kCopysign:
      return Copysign(a, b);
    case NpFn::kFmax:
      return b != b ? a : (a != a ? b : (a > b ? a : b));
    case NpFn::kFmin:
      return b != b ? a : (a != a ? b : (a < b ? a : b));
    case NpFn::kLdexp: {
      const auto v = a * Exp2f(static_cast<float>(b));
      return FromDouble<T>(static_cast<double>(v));
    }
    default:
      break;
  }
  if constexpr (std::is_same_v<T, float>) {
    if (fn == NpFn::kHypot) return Hypotf(a, b);
    if (fn == NpFn::kArctan2) return static_cast<float>(::atan2(double(a), double(b)));
  } else if constexpr (std::is_same_v<T, double>) {
    if (fn == NpFn::kHypot) return ::hypot(a, b);
    if (fn == NpFn::kArctan2) return ::atan2(a, b);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (fn == NpFn::kBitwiseAnd) return a && b;
    if (fn == NpFn::kBitwiseOr) return a || b;
    if (fn == NpFn::kBitwiseXor) return a != b;
    if (fn == NpFn::kBitwiseNot) return !a;
  } else {
    using U = std::make_unsigned_t<T>;
    if (fn == NpFn::kBitwiseAnd) return static_cast<T>(a & b);
    if (fn == NpFn::kBitwiseOr) return static_cast<T>(a | b);
    if (fn == NpFn::kBitwiseXor) return static_cast<T>(a ^ b);
    if (fn == NpFn::kBitwiseNot) return static_cast<T>(~a);
    const U ua = Magnitude<U>(a), ub = Magnitude<U>(b);
    if (fn == NpFn::kGcd) return static_cast<T>(GcdU(ua, ub));
    if (fn == NpFn::kLcm) {
      if (ua == U(0) || ub == U(0)) return T(0);
      return static_cast<T>(static_cast<U>((ua / GcdU(ua, ub)) * ub));
    }
  }
  return T(0);
}

/// The logical functions: the truth of a and b combined.
template <typename T>
MXS_NP_HD bool Logical(NpFn fn, T a, T b) {
  const bool x = static_cast<bool>(a), y = static_cast<bool>(b);
  if (fn == NpFn::kLogicalAnd) return x && y;
  if (fn == NpFn::kLogicalOr) return x || y;
  return x != y;
}

}  // namespace np
}  // namespace cuda
}  // namespace mxserve
