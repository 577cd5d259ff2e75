// SPDX-License-Identifier: Apache-2.0
// where and its numpy forms on CUDA as one strided select: one thread per output element, whose
// index is split over the output's axes into an element offset of the condition, x and y
// (stride 0 where an operand is broadcast or a scalar). Values move as 1, 2, 4 or 8 bytes; only
// the condition is read in its own dtype (non-zero selects x, NaN counting as non-zero).
#include "ops/where.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxDims = 8;

/// Output dims and the element strides of the condition, x and y per output axis.
struct Select {
  int ndim = 1;
  int64_t n = 0;  ///< output elements
  int64_t dims[kMaxDims] = {};
  int64_t stride[3][kMaxDims] = {};
};

template <typename C>
__device__ __forceinline__ bool NonZero(C v) {
  return v != C(0);
}
template <>
__device__ __forceinline__ bool NonZero(__half v) {
  return __half2float(v) != 0.f;
}
template <>
__device__ __forceinline__ bool NonZero(__nv_bfloat16 v) {
  return __bfloat162float(v) != 0.f;
}

/// x or y null: that operand is the scalar x_value / y_value.
template <typename C, typename V>
__global__ void WhereKernel(const C* c, const V* x, const V* y, V* out, Select g, V x_value,
                            V y_value) {
  MXS_GRID_STRIDE(i, g.n) {
    int64_t rest = i, oc = 0, ox = 0, oy = 0;
    for (int k = g.ndim - 1; k >= 0; --k) {
      const int64_t j = rest % g.dims[k];
      rest /= g.dims[k];
      oc += j * g.stride[0][k];
      ox += j * g.stride[1][k];
      oy += j * g.stride[2][k];
    }
    if (NonZero(c[oc]))
      out[i] = x != nullptr ? x[ox] : x_value;
    else
      out[i] = y != nullptr ? y[oy] : y_value;
  }
}

class WhereCuda final : public Kernel {
 public:
  /// x_input / y_input: the input holding x / y, or -1 for the scalar in x_bits / y_bits.
  WhereCuda(const Select& g, DType cond, size_t elem, int x_input, int y_input, uint64_t x_bits,
            uint64_t y_bits)
      : g_(g), cond_(cond), elem_(elem), x_input_(x_input), y_input_(y_input), x_bits_(x_bits),
        y_bits_(y_bits) {}
  void Run(const RunArgs& args) const override {
    if (g_.n == 0) return;
    switch (cond_) {
      case DType::kFloat32: ByElem<float>(args); break;
      case DType::kFloat64: ByElem<double>(args); break;
      case DType::kFloat16: ByElem<__half>(args); break;
      case DType::kBfloat16: ByElem<__nv_bfloat16>(args); break;
      case DType::kInt32: ByElem<int32_t>(args); break;
      case DType::kInt64: ByElem<int64_t>(args); break;
      case DType::kInt8: ByElem<int8_t>(args); break;
      default: ByElem<uint8_t>(args); break;  // uint8 and bool
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:where"; }

 private:
  template <typename C>
  void ByElem(const RunArgs& args) const {
    switch (elem_) {
      case 1: Launch<C, uint8_t>(args); break;
      case 2: Launch<C, uint16_t>(args); break;
      case 4: Launch<C, uint32_t>(args); break;
      default: Launch<C, uint64_t>(args); break;
    }
  }
  template <typename C, typename V>
  void Launch(const RunArgs& args) const {
    V xv, yv;
    std::memcpy(&xv, &x_bits_, sizeof(V));
    std::memcpy(&yv, &y_bits_, sizeof(V));
    const V* x = x_input_ >= 0 ? static_cast<const V*>(args.in[x_input_]) : nullptr;
    const V* y = y_input_ >= 0 ? static_cast<const V*>(args.in[y_input_]) : nullptr;
    WhereKernel<<<GridFor(g_.n), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const C*>(args.in[0]), x, y, static_cast<V*>(args.out[0]), g_, xv, yv);
  }

  Select g_;
  DType cond_;
  size_t elem_;
  int x_input_, y_input_;
  uint64_t x_bits_, y_bits_;  ///< the scalars in the output dtype, in the low bytes
};

/// Element strides of `in` (numpy-aligned to the right, 0 where broadcast) over output `out`.
void AlignedStrides(const Shape& in, const Shape& out, int64_t* st) {
  const int nd = out.ndim();
  for (int k = 0; k < nd; ++k) st[k] = 0;
  int64_t own = 1;
  for (int i = in.ndim() - 1; i >= 0; --i) {
    const int k = nd - in.ndim() + i;
    st[k] = in[i] == 1 && out[k] != 1 ? 0 : own;
    own *= in[i];
  }
}

bool IsConditionDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBfloat16 || t == DType::kUint8 || t == DType::kInt8 ||
         t == DType::kInt32 || t == DType::kInt64 || t == DType::kBool;
}

enum class Form { kLegacy, kNumpy, kLeftScalar, kRightScalar, kTwoScalars };

template <Form F>
std::unique_ptr<Kernel> CreateWhere(const KernelArgs& a) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const TensorDesc& out = a.out[0];
  const Shape o = out.shape.ndim() == 0 ? Shape({1}) : out.shape;
  MXS_CHECK_CODE(o.ndim() <= kMaxDims, kUnsupported)
      << what << ": more than " << kMaxDims << " dimensions have no CUDA kernel";
  MXS_CHECK_CODE(IsConditionDType(a.in[0].dtype), kUnsupported)
      << what << ": a condition of dtype " << DTypeName(a.in[0].dtype) << " has no CUDA kernel";
  for (size_t i = 1; i < a.in.size(); ++i)
    MXS_CHECK_CODE(a.in[i].dtype == out.dtype, kUnsupported)
        << what << ": x, y and the output must share one dtype";
  Select g;
  g.ndim = o.ndim();
  g.n = o.Size();
  for (int k = 0; k < g.ndim; ++k) g.dims[k] = o[k];
  auto strides = [&](const Shape& s, int64_t* st) {
    AlignedStrides(s.ndim() == 0 ? Shape({1}) : s, o, st);
  };
  if (F == Form::kLegacy && a.in[0].shape.ndim() != out.shape.ndim()) {
    for (int k = 0; k < g.ndim; ++k) g.stride[0][k] = 0;
    g.stride[0][0] = 1;  // a 1-D condition selects whole rows along axis 0
  } else {
    strides(a.in[0].shape, g.stride[0]);
  }
  int x_input = -1, y_input = -1;
  double x_value = 0.0, y_value = 0.0;
  for (int s = 1; s <= 2; ++s)
    for (int k = 0; k < g.ndim; ++k) g.stride[s][k] = 0;
  switch (F) {
    case Form::kLegacy:
    case Form::kNumpy:
      x_input = 1;
      y_input = 2;
      strides(a.in[1].shape, g.stride[1]);
      strides(a.in[2].shape, g.stride[2]);
      break;
    case Form::kLeftScalar:
      x_value = a.param<WhereScalarParam>().scalar;
      y_input = 1;
      strides(a.in[1].shape, g.stride[2]);
      break;
    case Form::kRightScalar:
      x_input = 1;
      y_value = a.param<WhereScalarParam>().scalar;
      strides(a.in[1].shape, g.stride[1]);
      break;
    case Form::kTwoScalars:
      x_value = a.param<WhereScalar2Param>().x;
      y_value = a.param<WhereScalar2Param>().y;
      break;
  }
  uint64_t xb = 0, yb = 0;
  const bool value_ok = ValueBits(out.dtype, x_value, &xb) && ValueBits(out.dtype, y_value, &yb);
  MXS_CHECK_CODE(value_ok, kUnsupported)
      << what << ": dtype " << DTypeName(out.dtype) << " has no CUDA kernel";
  return std::make_unique<WhereCuda>(g, a.in[0].dtype, DTypeSize(out.dtype), x_input, y_input,
                                     xb, yb);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, where) {
  r.Add("where", cuda::CreateWhere<cuda::Form::kLegacy>).DTypes(dtypes::kValue);
  r.Add("_npi_where", cuda::CreateWhere<cuda::Form::kNumpy>).DTypes(dtypes::kValue);
  r.Add("_npi_where_lscalar", cuda::CreateWhere<cuda::Form::kLeftScalar>)
      .DTypes(dtypes::kValue);
  r.Add("_npi_where_rscalar", cuda::CreateWhere<cuda::Form::kRightScalar>)
      .DTypes(dtypes::kValue);
  r.Add("_npi_where_scalar2", cuda::CreateWhere<cuda::Form::kTwoScalars>)
      .DTypes(dtypes::kValue);
}

}  // namespace mxserve
