// SPDX-License-Identifier: Apache-2.0
// Building blocks of the element-wise kernels: dtype dispatch, the BinaryFn functors with
// MXNet's semantics, a strided broadcasting loop, and the BinaryFn -> oneDNN algorithm map. Used where oneDNN has no primitive
// (integer math, power, comparisons into integer tensors, broadcasting of both operands).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/kernel.h"
#include "base/dtype.h"
#include "base/error.h"
#include "base/shape.h"
#include "ops/elemwise_binary.h"

namespace mxserve {
namespace cpu {

/// Loops shorter than this run on one thread: the fork costs more than the work.
constexpr int64_t kParallelGrain = 1 << 15;

/// Calls fn(T{}) with the C++ element type of `dtype`; false for dtypes without a plain-loop
/// element type (float16, bfloat16, the unsigned 16/32/64-bit types).
template <typename Fn>
bool VisitDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32:
      fn(float{});
      return true;
    case DType::kFloat64:
      fn(double{});
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

/// mshadow_op::mod: fmod in double with the result moved to the divisor's sign; x mod 0 = 0.
template <typename T>
T Mod(T a, T b) {
  if (b == T(0)) return T(0);
  const double da = static_cast<double>(a), db = static_cast<double>(b);
  if constexpr (!std::is_unsigned_v<T>) {
    if (b < T(0)) {
      if (a < T(0)) return static_cast<T>(-std::fmod(-da, -db));
      const double r = std::fmod(da, -db);
      return static_cast<T>(r + (r != 0.0 ? db : 0.0));
    }
    if (a < T(0)) {
      const double r = std::fmod(-da, db);
      return static_cast<T>(-r + (r != 0.0 ? db : 0.0));
    }
  }
  return static_cast<T>(std::fmod(da, db));
}

/// mshadow_op::smooth_l1_loss of x with sigma: quadratic inside |x| < 1 / sigma^2, linear outside.
template <typename T>
T SmoothL1(T x, T sigma) {
  if constexpr (std::is_floating_point_v<T>) {
    const T bsq = sigma * sigma;
    const T ibsq = 1.0f / bsq;
    if (x > ibsq) return static_cast<T>(x - 0.5f * ibsq);
    if (x < -ibsq) return static_cast<T>(-x - 0.5f * ibsq);
    return static_cast<T>(0.5f * x * x * bsq);
  } else {
    return static_cast<T>(SmoothL1(static_cast<float>(x), static_cast<float>(sigma)));
  }
}

/// Calls fn(op) where op(a, b) computes `f` on two values of type T as MXNet's mshadow_op does.
/// Integer division by zero yields 0 instead of trapping.
template <typename T, typename Fn>
void VisitBinaryFn(BinaryFn f, Fn&& fn) {
  switch (f) {
    case BinaryFn::kAdd:
      return fn([](T a, T b) { return static_cast<T>(a + b); });
    case BinaryFn::kSub:
      return fn([](T a, T b) { return static_cast<T>(a - b); });
    case BinaryFn::kMul:
      return fn([](T a, T b) { return static_cast<T>(a * b); });
    case BinaryFn::kDiv:
      return fn([](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) {
          return a / b;
        } else {
          return b == T(0) ? T(0) : static_cast<T>(a / b);
        }
      });
    case BinaryFn::kPow:
      return fn([](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) {
          return static_cast<T>(std::pow(a, b));
        } else {
          return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
        }
      });
    case BinaryFn::kMax:
      // NaN in the left operand wins, as in mshadow_op::maximum.
      return fn([](T a, T b) { return (a > b || a != a) ? a : b; });
    case BinaryFn::kMin:
      return fn([](T a, T b) { return (a < b || a != a) ? a : b; });
    case BinaryFn::kMod:
      return fn([](T a, T b) { return Mod(a, b); });
    case BinaryFn::kHypot:
      return fn([](T a, T b) {
        if constexpr (std::is_floating_point_v<T>) {
          return std::hypot(a, b);
        } else {
          return static_cast<T>(std::hypot(static_cast<float>(a), static_cast<float>(b)));
        }
      });
    case BinaryFn::kSmoothL1:
      return fn([](T a, T b) { return SmoothL1(a, b); });
    case BinaryFn::kEqual:
      return fn([](T a, T b) { return static_cast<T>(a == b); });
    case BinaryFn::kNotEqual:
      return fn([](T a, T b) { return static_cast<T>(a != b); });
    case BinaryFn::kGreater:
      return fn([](T a, T b) { return static_cast<T>(a > b); });
    case BinaryFn::kGreaterEqual:
      return fn([](T a, T b) { return static_cast<T>(a >= b); });
    case BinaryFn::kLesser:
      return fn([](T a, T b) { return static_cast<T>(a < b); });
    case BinaryFn::kLesserEqual:
      return fn([](T a, T b) { return static_cast<T>(a <= b); });
    case BinaryFn::kLogicalAnd:
      return fn([](T a, T b) { return static_cast<T>(a && b); });
    case BinaryFn::kLogicalOr:
      return fn([](T a, T b) { return static_cast<T>(a || b); });
    case BinaryFn::kLogicalXor:
      return fn([](T a, T b) { return static_cast<T>(!a != !b); });
  }
}

/// Plain loops index every tensor alike, so they need one physical layout for all of them.
inline void CheckSameLayout(const KernelArgs& a, const std::string& what) {
  bool same = true;
  for (const auto& t : a.in) same = same && t.layout == a.out[0].layout;
  MXS_CHECK_CODE(same, kUnsupported) << "failed to plan " << what
                                     << ": inputs and output must share one memory layout";
}

/// Runs fn(i) for i in [0, n), in parallel when n is large.
template <typename Fn>
void ParallelFor(int64_t n, Fn&& fn) {
#pragma omp parallel for if (n > kParallelGrain)
  for (int64_t i = 0; i < n; ++i) fn(i);
}

/// y = f(TC(x), s) or f(s, TC(x)) (reverse), stored as TO: the scalar forms of the binary
/// element-wise families (unary ops ignore s).
template <typename TI, typename TC, typename TO, typename F>
class ScalarLoopKernel final : public Kernel {
 public:
  ScalarLoopKernel(F f, double scalar, bool reverse, int64_t n)
      : f_(f), scalar_(static_cast<TC>(scalar)), reverse_(reverse), n_(n) {}
  void Run(const RunArgs& args) const override {
    const TI* x = static_cast<const TI*>(args.in[0]);
    TO* y = static_cast<TO*>(args.out[0]);
    const TC s = scalar_;
    if (reverse_) {
      ParallelFor(n_, [&](int64_t i) { y[i] = static_cast<TO>(f_(s, static_cast<TC>(x[i]))); });
    } else {
      ParallelFor(n_, [&](int64_t i) { y[i] = static_cast<TO>(f_(static_cast<TC>(x[i]), s)); });
    }
  }
  std::string Describe() const override { return "ref:scalar"; }

 private:
  F f_;
  TC scalar_;
  bool reverse_;
  int64_t n_;
};

/// Output dims and per-operand element strides (0 along broadcast dimensions) of a broadcasting
/// binary op, with neighbouring dimensions that broadcast alike merged.
struct BroadcastGeometry {
  std::vector<int64_t> dims;       ///< merged output dims; never empty
  std::vector<int64_t> lhs_strides;  ///< lhs element stride per merged dim
  std::vector<int64_t> rhs_strides;  ///< rhs element stride per merged dim
  int64_t size = 0;                ///< number of output elements
};

inline BroadcastGeometry MakeBroadcastGeometry(const Shape& lhs, const Shape& rhs, const Shape& out) {
  BroadcastGeometry g;
  g.size = out.Size();
  const int nd = out.ndim();
  // Row-major strides of each operand, right-aligned to the output; 0 where it broadcasts.
  std::vector<int64_t> sl(nd, 0), sr(nd, 0);
  int64_t acc_l = 1, acc_r = 1;
  for (int i = nd - 1; i >= 0; --i) {
    int il = i - (nd - lhs.ndim()), ir = i - (nd - rhs.ndim());
    int64_t dl = il >= 0 ? lhs[il] : 1, dr = ir >= 0 ? rhs[ir] : 1;
    sl[i] = dl == 1 ? 0 : acc_l;
    sr[i] = dr == 1 ? 0 : acc_r;
    acc_l *= dl;
    acc_r *= dr;
  }
  for (int i = 0; i < nd; ++i) {
    if (out[i] == 1) continue;  // contributes nothing to any index
    if (!g.dims.empty()) {
      // Merge with the previous dim when both operands step through the pair contiguously
      // (or both broadcast it), so the inner loop is as long as possible.
      int64_t d = g.dims.back();
      bool l_ok = sl[i] == 0 ? g.lhs_strides.back() == 0 : g.lhs_strides.back() == sl[i] * out[i];
      bool r_ok = sr[i] == 0 ? g.rhs_strides.back() == 0 : g.rhs_strides.back() == sr[i] * out[i];
      if (l_ok && r_ok) {
        g.dims.back() = d * out[i];
        g.lhs_strides.back() = sl[i];
        g.rhs_strides.back() = sr[i];
        continue;
      }
    }
    g.dims.push_back(out[i]);
    g.lhs_strides.push_back(sl[i]);
    g.rhs_strides.push_back(sr[i]);
  }
  if (g.dims.empty()) {
    g.dims = {1};
    g.lhs_strides = {0};
    g.rhs_strides = {0};
  }
  return g;
}

/// out[i] = f(lhs[...], rhs[...]) over the broadcast index space; row-major tensors.
template <typename TL, typename TR, typename TO, typename F>
void BroadcastLoop(const BroadcastGeometry& g, const TL* lhs, const TR* rhs, TO* out, F f) {
  const int nd = static_cast<int>(g.dims.size());
  const int64_t inner = g.dims[nd - 1];
  if (inner == 0) return;
  const int64_t rows = g.size / inner;
  const int64_t sl = g.lhs_strides[nd - 1], sr = g.rhs_strides[nd - 1];
#pragma omp parallel for if (g.size > kParallelGrain)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t ol = 0, orr = 0, rem = row;
    for (int d = nd - 2; d >= 0; --d) {
      int64_t c = rem % g.dims[d];
      rem /= g.dims[d];
      ol += c * g.lhs_strides[d];
      orr += c * g.rhs_strides[d];
    }
    TO* o = out + row * inner;
    for (int64_t j = 0; j < inner; ++j) o[j] = static_cast<TO>(f(lhs[ol + j * sl], rhs[orr + j * sr]));
  }
}

/// oneDNN's binary algorithm for `fn`, if it has one.
inline std::optional<dnnl::algorithm> BinaryAlgorithm(BinaryFn fn) {
  using alg = dnnl::algorithm;
  switch (fn) {
    case BinaryFn::kAdd:
      return alg::binary_add;
    case BinaryFn::kSub:
      return alg::binary_sub;
    case BinaryFn::kMul:
      return alg::binary_mul;
    case BinaryFn::kDiv:
      return alg::binary_div;
    case BinaryFn::kMax:
      return alg::binary_max;
    case BinaryFn::kMin:
      return alg::binary_min;
    case BinaryFn::kEqual:
      return alg::binary_eq;
    case BinaryFn::kNotEqual:
      return alg::binary_ne;
    case BinaryFn::kGreater:
      return alg::binary_gt;
    case BinaryFn::kGreaterEqual:
      return alg::binary_ge;
    case BinaryFn::kLesser:
      return alg::binary_lt;
    case BinaryFn::kLesserEqual:
      return alg::binary_le;
    default:
      return std::nullopt;
  }
}

}  // namespace cpu
}  // namespace mxserve
