// SPDX-License-Identifier: Apache-2.0
// Unary math ops. float32 relu/sigmoid/tanh/exp/log/sqrt/square/abs run on oneDNN eltwise; the
// rest is a plain loop over libm, computing integers exactly where MXNet does (abs, sign,
// floor...) and through float32 otherwise, as mshadow's float-promoting unary ops do.
#include "ops/unary_math.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <tuple>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

/// Inverse error function in double: Giles' single-precision approximation refined by Newton
/// steps on erf; +-inf at +-1 and NaN outside [-1, 1], as MXNet's erfinv.
double Erfinv(double y) {
  if (std::isnan(y) || y < -1.0 || y > 1.0) return std::nan("");
  if (y == 1.0 || y == -1.0) return std::copysign(INFINITY, y);
  if (std::fabs(y) < 1e-7) return y * std::sqrt(M_PI) / 2;
  double w = -std::log((1.0 - y) * (1.0 + y)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941})
      p = c + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                     0.00943887047, 1.00167406, 2.83297682})
      p = c + p * w;
  }
  double x = p * y;
  for (int i = 0; i < 3; ++i) {
    const double d = 2.0 / std::sqrt(M_PI) * std::exp(-x * x);
    if (!(d > 0)) break;
    x -= (std::erf(x) - y) / d;
  }
  return x;
}

/// Calls fn(op) where op(x) computes `u` on a value of type T (floating, or integer for the
/// IsIntegerExactFn functions).
template <typename T, typename Fn>
void VisitUnaryFn(UnaryFn u, Fn&& fn) {
  constexpr bool kFloat = std::is_floating_point_v<T>;
  constexpr float kPiF = 3.14159265358979323846f;
  // Non-integer-exact functions are only instantiated for floating T; callers never ask otherwise.
  auto fp = [&](auto op) {
    if constexpr (kFloat) fn(op);
  };
  switch (u) {
    case UnaryFn::kRelu:
      return fn([](T a) { return (a > T(0) || a != a) ? a : T(0); });
    case UnaryFn::kNegative:
      return fn([](T a) { return static_cast<T>(-a); });
    case UnaryFn::kAbs:
      return fn([](T a) {
        if constexpr (std::is_unsigned_v<T>) {
          return a;
        } else {
          return static_cast<T>(a < T(0) ? -a : a);
        }
      });
    case UnaryFn::kSign:
      return fn([](T a) { return a < T(0) ? static_cast<T>(-1) : (a > T(0) ? T(1) : T(0)); });
    case UnaryFn::kSquare:
      return fn([](T a) { return static_cast<T>(a * a); });
    case UnaryFn::kLogicalNot:
      return fn([](T a) { return a != T(0) ? T(0) : T(1); });
    case UnaryFn::kRound:
      if constexpr (kFloat) return fn([](T a) { return std::round(a); });
      return fn([](T a) { return a; });
    case UnaryFn::kRint:
      if constexpr (kFloat) return fn([](T a) { return std::rint(a); });
      return fn([](T a) { return a; });
    case UnaryFn::kCeil:
      if constexpr (kFloat) return fn([](T a) { return std::ceil(a); });
      return fn([](T a) { return a; });
    case UnaryFn::kFloor:
      if constexpr (kFloat) return fn([](T a) { return std::floor(a); });
      return fn([](T a) { return a; });
    case UnaryFn::kTrunc:
      if constexpr (kFloat) return fn([](T a) { return std::trunc(a); });
      return fn([](T a) { return a; });
    case UnaryFn::kSigmoid:
      return fp([](T a) { return T(1) / (T(1) + std::exp(-a)); });
    case UnaryFn::kSoftsign:
      return fp([](T a) { return a / (T(1) + std::fabs(a)); });
    case UnaryFn::kErf:
      return fp([](T a) { return std::erf(a); });
    case UnaryFn::kSin:
      return fp([](T a) { return std::sin(a); });
    case UnaryFn::kCos:
      return fp([](T a) { return std::cos(a); });
    case UnaryFn::kTan:
      return fp([](T a) { return std::tan(a); });
    case UnaryFn::kSinh:
      return fp([](T a) { return std::sinh(a); });
    case UnaryFn::kCosh:
      return fp([](T a) { return std::cosh(a); });
    case UnaryFn::kTanh:
      return fp([](T a) { return std::tanh(a); });
    case UnaryFn::kArcsin:
      return fp([](T a) { return std::asin(a); });
    case UnaryFn::kArccos:
      return fp([](T a) { return std::acos(a); });
    case UnaryFn::kArctan:
      return fp([](T a) { return std::atan(a); });
    case UnaryFn::kArcsinh:
      return fp([](T a) { return std::asinh(a); });
    case UnaryFn::kArccosh:
      return fp([](T a) { return std::acosh(a); });
    case UnaryFn::kArctanh:
      return fp([](T a) { return std::atanh(a); });
    // mshadow scales by a float constant (PI is a float there), then multiplies in T.
    case UnaryFn::kDegrees:
      return fp([](T a) { return static_cast<T>(180.0f / kPiF) * a; });
    case UnaryFn::kRadians:
      return fp([](T a) { return static_cast<T>(kPiF / 180.0f) * a; });
    case UnaryFn::kGamma:
      return fp([](T a) { return std::tgamma(a); });
    case UnaryFn::kGammaln:
      return fp([](T a) { return std::lgamma(a); });
    case UnaryFn::kLogSigmoid:
      return fp([](T a) { return std::log(T(1) / (T(1) + std::exp(-a))); });
    case UnaryFn::kMish:
      // softrelu saturates to the identity above 20, as in mshadow_op::mish.
      return fp([](T a) { return a * std::tanh(a > T(20) ? a : std::log1p(std::exp(a))); });
    case UnaryFn::kReciprocal:
      return fp([](T a) { return T(1) / a; });
    case UnaryFn::kSqrt:
      return fp([](T a) { return std::sqrt(a); });
    case UnaryFn::kRsqrt:
      return fp([](T a) { return T(1) / std::sqrt(a); });
    case UnaryFn::kCbrt:
      return fp([](T a) { return std::cbrt(a); });
    case UnaryFn::kExp:
      return fp([](T a) { return std::exp(a); });
    case UnaryFn::kLog:
      return fp([](T a) { return std::log(a); });
    case UnaryFn::kLog10:
      return fp([](T a) { return std::log10(a); });
    case UnaryFn::kLog2:
      return fp([](T a) { return std::log2(a); });
    case UnaryFn::kLog1p:
      return fp([](T a) { return std::log1p(a); });
    case UnaryFn::kExpm1:
      return fp([](T a) { return std::expm1(a); });
    case UnaryFn::kErfinv:
      return fp([](T a) { return static_cast<T>(Erfinv(static_cast<double>(a))); });
  }
}

template <typename TI, typename TC, typename TO, typename F>
class UnaryLoopKernel final : public Kernel {
 public:
  UnaryLoopKernel(F f, int64_t n) : f_(f), n_(n) {}
  void Run(const RunArgs& args) const override {
    const TI* x = static_cast<const TI*>(args.in[0]);
    TO* y = static_cast<TO*>(args.out[0]);
    ParallelFor(n_, [&](int64_t i) { y[i] = static_cast<TO>(f_(static_cast<TC>(x[i]))); });
  }
  std::string Describe() const override { return "ref:unary"; }

 private:
  F f_;
  int64_t n_;
};

template <typename TI, typename TC, typename TO>
std::unique_ptr<Kernel> MakeLoop(UnaryFn u, int64_t n) {
  std::unique_ptr<Kernel> k;
  VisitUnaryFn<TC>(u, [&](auto f) { k = std::make_unique<UnaryLoopKernel<TI, TC, TO, decltype(f)>>(f, n); });
  return k;
}

/// oneDNN eltwise algorithm (alpha, beta) for `u`, if oneDNN has one.
std::optional<std::tuple<dnnl::algorithm, float, float>> EltwiseAlgorithm(UnaryFn u) {
  using alg = dnnl::algorithm;
  switch (u) {
    case UnaryFn::kRelu:
      return std::make_tuple(alg::eltwise_relu, 0.f, 0.f);
    case UnaryFn::kSigmoid:
      return std::make_tuple(alg::eltwise_logistic, 0.f, 0.f);
    case UnaryFn::kTanh:
      return std::make_tuple(alg::eltwise_tanh, 0.f, 0.f);
    case UnaryFn::kExp:
      return std::make_tuple(alg::eltwise_exp, 0.f, 0.f);
    case UnaryFn::kLog:
      return std::make_tuple(alg::eltwise_log, 0.f, 0.f);
    case UnaryFn::kSqrt:
      return std::make_tuple(alg::eltwise_sqrt, 0.f, 0.f);
    case UnaryFn::kSquare:
      return std::make_tuple(alg::eltwise_square, 0.f, 0.f);
    case UnaryFn::kAbs:
      return std::make_tuple(alg::eltwise_abs, 0.f, 0.f);
    case UnaryFn::kNegative:
      return std::make_tuple(alg::eltwise_linear, -1.f, 0.f);
    default:
      return std::nullopt;
  }
}

/// y = !x for any input dtype into a bool output (_npi_logical_not).
template <typename TI>
class LogicalNotKernel final : public Kernel {
 public:
  explicit LogicalNotKernel(int64_t n) : n_(n) {}
  void Run(const RunArgs& args) const override {
    const TI* x = static_cast<const TI*>(args.in[0]);
    bool* y = static_cast<bool*>(args.out[0]);
    ParallelFor(n_, [&](int64_t i) { y[i] = !static_cast<bool>(x[i]); });
  }
  std::string Describe() const override { return "ref:logical_not"; }

 private:
  int64_t n_;
};

std::unique_ptr<Kernel> CreateUnaryMath(const KernelArgs& a) {
  const UnaryFn u = UnaryMathFnOf(a.node.def->name());
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  const DType ti = a.in[0].dtype, to = a.out[0].dtype;
  auto algo = EltwiseAlgorithm(u);
  if (ti == DType::kFloat32 && to == ti && algo && a.out[0].shape.Size() > 0) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      auto [alg, alpha, beta] = *algo;
      auto pd = dnnl::eltwise_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference, alg,
                                                      ToMemDesc(a.in[0]), ToMemDesc(a.out[0]), alpha,
                                                      beta, DefaultAttr());
      std::vector<PrimitiveArg> args{
          {DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr},
          {DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr}};
      return std::make_unique<PrimitiveKernel>(what, dnnl::eltwise_forward(pd), pd, std::move(args));
    });
  }
  CheckSameLayout(a, what);
  const int64_t n = a.out[0].shape.Size();
  std::unique_ptr<Kernel> k;
  if (to == DType::kBool && IsBoolOutFn(u)) {
    VisitDType(ti, [&](auto x) { k = std::make_unique<LogicalNotKernel<decltype(x)>>(n); });
  } else if (ti != DType::kBool) {
    VisitDType(ti, [&](auto x) {
      using T = decltype(x);
      if constexpr (!std::is_same_v<T, bool>) {
        if (to == ti && (std::is_floating_point_v<T> || IsIntegerExactFn(u))) {
          k = MakeLoop<T, T, T>(u, n);
        } else if (to == ti) {
          k = MakeLoop<T, float, T>(u, n);
        } else if (to == DType::kFloat32) {
          k = MakeLoop<T, float, float>(u, n);
        }
      }
    });
  }
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(ti) << " -> " << DTypeName(to)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, unary_math) {
  for (const std::string& op : UnaryMathOpNames())
    r.Add(op, cpu::CreateUnaryMath, Backend::kSameLayout).DTypes(dtypes::kPlain);
}

}  // namespace mxserve
