// SPDX-License-Identifier: Apache-2.0
// where and its numpy forms as one strided select in plain C++: every operand has an element
// stride per output axis (0 where it is broadcast, or where it is a scalar), the output is walked
// row by row along its last axis. Values are moved as raw elements; only the condition is read
// in its own dtype.
#include "ops/where.h"

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu_onednn/index_loops.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

/// Element strides of `in` (numpy-aligned to the right) for an output of `nd` axes.
std::vector<int64_t> AlignedStrides(const Shape& in, const Shape& out) {
  const int nd = out.ndim();
  std::vector<int64_t> st(nd, 0);
  const std::vector<int64_t> own = RowMajorStrides(in);
  for (int i = 0; i < in.ndim(); ++i) {
    const int k = nd - in.ndim() + i;
    st[k] = in[i] == 1 && out[k] != 1 ? 0 : own[i];
  }
  return st;
}

/// Geometry of one select: output dims and per-operand strides (condition, x, y).
struct SelectGeometry {
  std::vector<int64_t> dims;       ///< output dims, at least one
  std::vector<int64_t> stride[3];  ///< element strides of condition, x, y
};

template <typename CT, typename VT>
class WhereKernel final : public Kernel {
 public:
  /// x_input / y_input: which input holds x / y, or -1 when it is the scalar x_value / y_value.
  WhereKernel(SelectGeometry g, int x_input, int y_input, VT x_value, VT y_value)
      : g_(std::move(g)),
        x_input_(x_input),
        y_input_(y_input),
        x_value_(x_value),
        y_value_(y_value) {
    row_ = g_.dims.back();
    rows_ = 1;
    for (size_t i = 0; i + 1 < g_.dims.size(); ++i) rows_ *= g_.dims[i];
  }

  void Run(const RunArgs& args) const override {
    const CT* c = static_cast<const CT*>(args.in[0]);
    const VT* x = x_input_ >= 0 ? static_cast<const VT*>(args.in[x_input_]) : &x_value_;
    const VT* y = y_input_ >= 0 ? static_cast<const VT*>(args.in[y_input_]) : &y_value_;
    VT* out = static_cast<VT*>(args.out[0]);
    const int nd = static_cast<int>(g_.dims.size());
    const int64_t sc = g_.stride[0][nd - 1], sx = g_.stride[1][nd - 1], sy = g_.stride[2][nd - 1];
#pragma omp parallel for if (rows_ * row_ > (1 << 15))
    for (int64_t r = 0; r < rows_; ++r) {
      int64_t oc = 0, ox = 0, oy = 0, rest = r;
      for (int k = nd - 2; k >= 0; --k) {
        const int64_t i = rest % g_.dims[k];
        rest /= g_.dims[k];
        oc += i * g_.stride[0][k];
        ox += i * g_.stride[1][k];
        oy += i * g_.stride[2][k];
      }
      VT* o = out + r * row_;
      for (int64_t j = 0; j < row_; ++j)
        o[j] = IsNonZero(c[oc + j * sc]) ? x[ox + j * sx] : y[oy + j * sy];
    }
  }
  std::string Describe() const override { return "ref:where"; }

 private:
  SelectGeometry g_;  ///< dims and strides (scalars have stride 0)
  int x_input_;       ///< input index of x, -1 for a scalar
  int y_input_;       ///< input index of y, -1 for a scalar
  VT x_value_;        ///< x when it is a scalar, as output-dtype bytes
  VT y_value_;        ///< y when it is a scalar, as output-dtype bytes
  int64_t row_ = 0;   ///< elements per output row
  int64_t rows_ = 0;  ///< number of rows
};

class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

enum class Form { kLegacy, kNumpy, kLeftScalar, kRightScalar, kTwoScalars };

template <Form F>
std::unique_ptr<Kernel> CreateWhere(const KernelArgs& a) {
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  const TensorDesc& out = a.out[0];
  if (out.shape.Size() == 0) return std::make_unique<EmptyKernel>();
  SelectGeometry g;
  Shape o = out.shape.ndim() == 0 ? Shape({1}) : out.shape;
  auto strides = [&](const Shape& s) { return AlignedStrides(s.ndim() == 0 ? Shape({1}) : s, o); };
  g.dims = o.dims();
  if (F == Form::kLegacy && a.in[0].shape.ndim() != out.shape.ndim()) {
    g.stride[0].assign(o.ndim(), 0);
    g.stride[0][0] = 1;
  } else {
    g.stride[0] = strides(a.in[0].shape);
  }
  int x_input = -1, y_input = -1;
  double x_value = 0.0, y_value = 0.0;
  const std::vector<int64_t> zero(o.ndim(), 0);
  switch (F) {
    case Form::kLegacy:
    case Form::kNumpy:
      x_input = 1;
      y_input = 2;
      g.stride[1] = strides(a.in[1].shape);
      g.stride[2] = strides(a.in[2].shape);
      break;
    case Form::kLeftScalar:
      x_value = a.param<WhereScalarParam>().scalar;
      y_input = 1;
      g.stride[1] = zero;
      g.stride[2] = strides(a.in[1].shape);
      break;
    case Form::kRightScalar:
      x_input = 1;
      y_value = a.param<WhereScalarParam>().scalar;
      g.stride[1] = strides(a.in[1].shape);
      g.stride[2] = zero;
      break;
    case Form::kTwoScalars:
      x_value = a.param<WhereScalar2Param>().x;
      y_value = a.param<WhereScalar2Param>().y;
      g.stride[1] = zero;
      g.stride[2] = zero;
      break;
  }
  // Scalars become elements of the output dtype (MXNet's DType(scalar)).
  uint64_t xb = 0, yb = 0;
  bool value_ok = VisitValueDType(out.dtype, [&](auto t) {
    using T = decltype(t);
    T xv = FromDouble<T>(x_value), yv = FromDouble<T>(y_value);
    std::memcpy(&xb, &xv, sizeof(T));
    std::memcpy(&yb, &yv, sizeof(T));
  });
  MXS_CHECK_CODE(value_ok, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(out.dtype) << " is not supported";
  std::unique_ptr<Kernel> k;
  VisitValueDType(a.in[0].dtype, [&](auto c) {
    VisitElemSize(DTypeSize(out.dtype), [&](auto v) {
      using VT = decltype(v);
      VT xv, yv;
      std::memcpy(&xv, &xb, sizeof(VT));
      std::memcpy(&yv, &yb, sizeof(VT));
      k = std::make_unique<WhereKernel<decltype(c), VT>>(g, x_input, y_input, xv, yv);
    });
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported)
      << "failed to plan " << what << ": a condition of dtype " << DTypeName(a.in[0].dtype)
      << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, where) {
  r.Add("where", cpu::CreateWhere<cpu::Form::kLegacy>).DTypes(dtypes::kValue);
  r.Add("_npi_where", cpu::CreateWhere<cpu::Form::kNumpy>).DTypes(dtypes::kValue);
  r.Add("_npi_where_lscalar", cpu::CreateWhere<cpu::Form::kLeftScalar>).DTypes(dtypes::kValue);
  r.Add("_npi_where_rscalar", cpu::CreateWhere<cpu::Form::kRightScalar>).DTypes(dtypes::kValue);
  r.Add("_npi_where_scalar2", cpu::CreateWhere<cpu::Form::kTwoScalars>).DTypes(dtypes::kValue);
}

}  // namespace mxserve
