// SPDX-License-Identifier: Apache-2.0
// MXNet 2.0 numpy element-wise ops as plain loops (oneDNN has none of these functions): the
// broadcasting forms on the strided loop of elemwise_loop.h, the scalar forms converting the
// input to the output dtype and the scalar to the same type first (MXNet's DType(alpha)).
// Remainders are computed in double as mshadow_op does.
#include "ops/np_elemwise.h"

#include <cmath>
#include <numeric>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "graph/op_def.h"
#include "ops/scalar_binary.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename T>
T NumpyMod(T a, T b) {
  if (b == T(0)) return T(0);
  if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>) {
    return static_cast<T>(std::fmod(static_cast<double>(a), static_cast<double>(b)));
  } else {
    double r = std::fmod(static_cast<double>(a), static_cast<double>(b));
    if (r != 0 && ((r < 0) != (b < T(0)))) r += static_cast<double>(b);
    return static_cast<T>(r);
  }
}

template <typename T>
T FloorDivide(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return b ? a : false;
  } else if constexpr (std::is_integral_v<T>) {
    if (b == T(0)) return T(0);
    return static_cast<T>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
  } else {
    return std::floor(a / b);
  }
}

/// Calls fn(op) with op(a, b) computing `f` on two values of type T.
template <typename T, typename Fn>
void VisitNpFn(NpFn f, Fn&& fn) {
  switch (f) {
    case NpFn::kMod:
      return fn([](T a, T b) { return NumpyMod(a, b); });
    case NpFn::kFloorDivide:
      return fn([](T a, T b) { return FloorDivide(a, b); });
    case NpFn::kFmod:
      return fn([](T a, T b) {
        return b == T(0)
                   ? T(0)
                   : static_cast<T>(std::fmod(static_cast<double>(a), static_cast<double>(b)));
      });
    case NpFn::kCopysign:
      return fn([](T a, T b) {
        return ((a >= T(0) && b >= T(0)) || (a < T(0) && b < T(0))) ? a : static_cast<T>(-a);
      });
    case NpFn::kFmax:
      return fn([](T a, T b) { return b != b ? a : (a != a ? b : (a > b ? a : b)); });
    case NpFn::kFmin:
      return fn([](T a, T b) { return b != b ? a : (a != a ? b : (a < b ? a : b)); });
    case NpFn::kLogicalAnd:
      return fn([](T a, T b) { return static_cast<bool>(a) && static_cast<bool>(b); });
    case NpFn::kLogicalOr:
      return fn([](T a, T b) { return static_cast<bool>(a) || static_cast<bool>(b); });
    case NpFn::kLogicalXor:
      return fn([](T a, T b) { return static_cast<bool>(a) != static_cast<bool>(b); });
    default:
      break;
  }
  if (f == NpFn::kLdexp) {
    return fn([](T a, T b) { return static_cast<T>(a * std::pow(2.0f, static_cast<float>(b))); });
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (f == NpFn::kHypot) return fn([](T a, T b) { return static_cast<T>(std::hypot(a, b)); });
    if (f == NpFn::kArctan2) return fn([](T a, T b) { return static_cast<T>(std::atan2(a, b)); });
  } else if constexpr (std::is_same_v<T, bool>) {
    if (f == NpFn::kBitwiseAnd) return fn([](T a, T b) { return a && b; });
    if (f == NpFn::kBitwiseOr) return fn([](T a, T b) { return a || b; });
    if (f == NpFn::kBitwiseXor) return fn([](T a, T b) { return a != b; });
    if (f == NpFn::kBitwiseNot) return fn([](T a, T) { return !a; });
  } else {
    if (f == NpFn::kBitwiseAnd) return fn([](T a, T b) { return static_cast<T>(a & b); });
    if (f == NpFn::kBitwiseOr) return fn([](T a, T b) { return static_cast<T>(a | b); });
    if (f == NpFn::kBitwiseXor) return fn([](T a, T b) { return static_cast<T>(a ^ b); });
    if (f == NpFn::kBitwiseNot) return fn([](T a, T) { return static_cast<T>(~a); });
    if (f == NpFn::kGcd) return fn([](T a, T b) { return static_cast<T>(std::gcd(a, b)); });
    if (f == NpFn::kLcm) return fn([](T a, T b) { return static_cast<T>(std::lcm(a, b)); });
  }
}

template <typename T, typename TO, typename F>
class BroadcastKernel final : public Kernel {
 public:
  BroadcastKernel(BroadcastGeometry g, F f) : g_(std::move(g)), f_(f) {}
  void Run(const RunArgs& args) const override {
    BroadcastLoop(g_, static_cast<const T*>(args.in[0]), static_cast<const T*>(args.in[1]),
                  static_cast<TO*>(args.out[0]), f_);
  }
  std::string Describe() const override { return "ref:broadcast"; }

 private:
  BroadcastGeometry g_;
  F f_;
};

std::unique_ptr<Kernel> CreateNpElemwise(const KernelArgs& a) {
  NpFn fn;
  NpArity arity;
  NpElemwiseOf(a.node.def->name(), &fn, &arity);
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.layout == Layout::kRowMajor, kUnsupported)
        << "failed to plan " << what << ": needs row-major tensors";
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  const bool logical = NpFnIsLogical(fn);
  std::unique_ptr<Kernel> k;
  if (arity == NpArity::kBroadcast) {
    BroadcastGeometry g = MakeBroadcastGeometry(a.in[0].shape, a.in[1].shape, a.out[0].shape);
    VisitDType(ti, [&](auto x) {
      using T = decltype(x);
      VisitNpFn<T>(fn, [&](auto f) {
        if (logical) {
          k = std::make_unique<BroadcastKernel<T, bool, decltype(f)>>(g, f);
        } else if (to == ti) {
          k = std::make_unique<BroadcastKernel<T, T, decltype(f)>>(g, f);
        }
      });
    });
  } else {
    const int64_t n = a.out[0].shape.Size();
    const double s = arity == NpArity::kUnary ? 0.0 : a.param<ScalarBinaryParam>().scalar;
    const bool reverse = arity == NpArity::kReverseScalar;
    // Logical ops test the input in its own dtype; the others compute in the output dtype.
    const DType tc = logical ? ti : to;
    VisitDType(ti, [&](auto x) {
      using TI = decltype(x);
      VisitDType(tc, [&](auto c) {
        using TC = decltype(c);
        VisitNpFn<TC>(fn, [&](auto f) {
          if (logical) {
            k = std::make_unique<ScalarLoopKernel<TI, TC, bool, decltype(f)>>(f, s, reverse, n);
          } else {
            k = std::make_unique<ScalarLoopKernel<TI, TC, TC, decltype(f)>>(f, s, reverse, n);
          }
        });
      });
    });
  }
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(ti) << " -> " << DTypeName(to)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, np_elemwise) {
  for (const std::string& op : NpElemwiseOpNames())
    r.Add(op, cpu::CreateNpElemwise).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
