// SPDX-License-Identifier: Apache-2.0
// Pad and _npi_pad on CUDA: one thread per output element maps its index on every axis to an
// input index (clamped for edge, mirrored for reflect and symmetric, with the CPU kernel's index
// arithmetic) and copies that element, or writes the constant where an axis maps outside the
// input. Elements move as 1, 2, 4 or 8 bytes; the constant is converted to the tensor's dtype on
// the host. _npi_pad's maximum and minimum modes then fill the border of each axis, last axis
// first as the CPU kernel does, one launch per axis and one thread per line along the axis: the
// line's extreme over its interior, compared in the tensor's type (float16 has no such kernel,
// nor on the CPU).
#include "ops/pad.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

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

/// The border rules: Pad's reflect mirrors once (its padding is narrower than the axis),
/// _npi_pad's reflect and symmetric repeat the mirror.
enum class Rule : int { kConstant, kEdge, kReflectOnce, kReflect, kSymmetric };

/// Input index of output index j on an axis of input length n with `before` padding, or -1 for
/// the constant.
__host__ __device__ __forceinline__ int64_t PadSource(Rule rule, int64_t j, int64_t n,
                                                      int64_t before) {
  const int64_t k = j - before;
  if (k >= 0 && k < n) return k;
  switch (rule) {
    case Rule::kConstant: return -1;
    case Rule::kEdge: return k < 0 ? 0 : n - 1;
    case Rule::kReflectOnce: return k < 0 ? -k : 2 * (n - 1) - k;
    case Rule::kSymmetric: {
      // Period 2n, the border element repeated.
      const int64_t d = k < 0 ? -k : k - n + 1;
      const int64_t round = (d - 1) / n;
      int64_t pos = d % n;
      if (pos == 0) pos = n;
      return (k < 0) == (round % 2 == 0) ? pos - 1 : n - pos;
    }
    case Rule::kReflect: {
      // Period 2(n - 1), the border element not repeated.
      if (n == 1) return 0;
      const int64_t d = k < 0 ? -k : k - n + 1;
      const int64_t round = (d - 1) / (n - 1);
      const int64_t pos = (d + round) % n;
      return (k < 0) == (round % 2 == 0) ? pos : n - 1 - pos;
    }
  }
  return -1;
}

struct PadGeom {
  int ndim = 1;
  int64_t n = 0;  ///< output elements
  Rule rule = Rule::kConstant;
  int64_t out_dims[kMaxDims] = {};
  int64_t in_dims[kMaxDims] = {};
  int64_t before[kMaxDims] = {};
};

/// The input element output element i copies, or -1 for the constant.
__host__ __device__ __forceinline__ int64_t PadElement(const PadGeom& g, int64_t i) {
  int64_t rest = i, off = 0, stride = 1;
  bool inside = true;
  for (int k = g.ndim - 1; k >= 0; --k) {
    const int64_t src = PadSource(g.rule, rest % g.out_dims[k], g.in_dims[k], g.before[k]);
    rest /= g.out_dims[k];
    inside = inside && src >= 0;
    off += src * stride;
    stride *= g.in_dims[k];
  }
  return inside ? off : -1;
}

template <typename E>
__global__ void PadKernel(const E* x, E* y, PadGeom g, E value) {
  MXS_GRID_STRIDE(i, g.n) {
    const int64_t src = PadElement(g, i);
    y[i] = src >= 0 ? x[src] : value;
  }
}

/// Fills the border of line `line` along axis k (axes before k in the interior, axes after it
/// anywhere, `inner` = the output elements after axis k) with the line's interior maximum or
/// minimum, the first interior element winning ties and NaN comparisons.
template <typename T>
__host__ __device__ __forceinline__ void FillLine(T* y, const PadGeom& g, int k, int64_t inner,
                                                  int64_t line, bool max) {
  const int64_t len = g.out_dims[k], b = g.before[k], n = g.in_dims[k];
  int64_t rest = line / inner, off = 0, stride = inner * len;
  for (int m = k - 1; m >= 0; --m) {
    off += (rest % g.in_dims[m] + g.before[m]) * stride;
    rest /= g.in_dims[m];
    stride *= g.out_dims[m];
  }
  T* base = y + off + line % inner;
  T v = base[b * inner];
  for (int64_t p = b; p < b + n; ++p) {
    const T e = base[p * inner];
    if (max ? e > v : e < v) v = e;
  }
  for (int64_t p = 0; p < b; ++p) base[p * inner] = v;
  for (int64_t p = b + n; p < len; ++p) base[p * inner] = v;
}

template <typename T>
__global__ void FillStatKernel(T* y, PadGeom g, int k, int64_t inner, int64_t lines, bool max) {
  MXS_GRID_STRIDE(line, lines) { FillLine(y, g, k, inner, line, max); }
}

/// The lines along axis k whose axes before k lie in the interior, and the elements after k.
void StatLines(const PadGeom& g, int k, int64_t& lines, int64_t& inner) {
  int64_t outer = 1;
  inner = 1;
  for (int m = 0; m < k; ++m) outer *= g.in_dims[m];
  for (int m = k + 1; m < g.ndim; ++m) inner *= g.out_dims[m];
  lines = outer * inner;
}

class PadCuda final : public Kernel {
 public:
  /// stat: 0 for none, 1 for the maximum, -1 for the minimum.
  PadCuda(const PadGeom& g, DType dtype, uint64_t value_bits, int stat)
      : g_(g), dtype_(dtype), elem_(DTypeSize(dtype)), value_bits_(value_bits), stat_(stat) {}
  void Run(const RunArgs& args) const override {
    if (g_.n == 0) return;
    switch (elem_) {
      case 1: Launch<uint8_t>(args); break;
      case 2: Launch<uint16_t>(args); break;
      case 4: Launch<uint32_t>(args); break;
      default: Launch<uint64_t>(args); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
    if (stat_ == 0) return;
    switch (dtype_) {
      case DType::kFloat32: FillStat<float>(args); break;
      case DType::kFloat64: FillStat<double>(args); break;
      case DType::kUint8: FillStat<uint8_t>(args); break;
      case DType::kInt8: FillStat<int8_t>(args); break;
      case DType::kInt32: FillStat<int32_t>(args); break;
      default: FillStat<int64_t>(args); break;
    }
  }
  std::string Describe() const override { return "cuda:pad"; }

 private:
  template <typename E>
  void Launch(const RunArgs& args) const {
    E v;
    std::memcpy(&v, &value_bits_, sizeof(E));
    PadKernel<<<GridFor(g_.n), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const E*>(args.in[0]), static_cast<E*>(args.out[0]), g_, v);
  }
  template <typename T>
  void FillStat(const RunArgs& args) const {
    cudaStream_t s = StreamOf(args).get();
    for (int k = g_.ndim - 1; k >= 0; --k) {
      int64_t lines = 0, inner = 1;
      StatLines(g_, k, lines, inner);
      if (lines == 0 || g_.in_dims[k] == 0) continue;
      FillStatKernel<<<GridFor(lines), kThreads, 0, s>>>(static_cast<T*>(args.out[0]), g_, k,
                                                         inner, lines, stat_ > 0);
      MXS_CUDA_CHECK_LAUNCH();
    }
  }

  PadGeom g_;
  DType dtype_;
  size_t elem_;
  uint64_t value_bits_;  ///< the constant in the tensor's dtype, in the low bytes
  int stat_;             ///< 0: none, 1: maximum, -1: minimum
};

/// before[i] / after[i]: the padding of axis i.
std::unique_ptr<Kernel> Make(const KernelArgs& a, Rule rule, const std::vector<int64_t>& before,
                             const std::vector<int64_t>& after, double value, int stat = 0) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const Shape& in = a.in[0].shape;
  const DType t = a.in[0].dtype;
  // The CPU kernel refuses bool and bfloat16.
  uint64_t bits = 0;
  MXS_CHECK_CODE(a.out[0].dtype == t && t != DType::kBool && t != DType::kBfloat16 &&
                     ValueBits(t, value, &bits),
                 kUnsupported)
      << what << ": dtype " << DTypeName(t) << " has no CUDA kernel";
  MXS_CHECK_CODE(stat == 0 || t != DType::kFloat16, kUnsupported)
      << what << ": the maximum and minimum modes of float16 have no kernel (nor on the CPU)";
  MXS_CHECK_CODE(in.ndim() >= 1 && in.ndim() <= kMaxDims, kUnsupported)
      << what << ": " << in.ndim() << " dimensions have no CUDA kernel";
  PadGeom g;
  g.ndim = in.ndim();
  g.rule = rule;
  g.n = a.out[0].shape.Size();
  for (int k = 0; k < g.ndim; ++k) {
    g.in_dims[k] = in[k];
    g.out_dims[k] = a.out[0].shape[k];
    g.before[k] = before[k];
    // An empty axis padded by a rule that reads the input has no element to read.
    MXS_CHECK_CODE(g.n == 0 || in[k] > 0 || rule == Rule::kConstant ||
                       (before[k] == 0 && after[k] == 0),
                   kUnsupported)
        << what << ": padding an empty axis by copying has no CUDA kernel";
  }
  return std::make_unique<PadCuda>(g, t, bits, stat);
}

std::unique_ptr<Kernel> CreatePad(const KernelArgs& a) {
  const auto& p = a.param<PadParam>();
  const int nd = a.in[0].shape.ndim();
  std::vector<int64_t> before(nd), after(nd);
  for (int i = 0; i < nd; ++i) {
    before[i] = p.pad_width[2 * i];
    after[i] = p.pad_width[2 * i + 1];
  }
  const Rule rule = p.mode == PadParam::Mode::kEdge      ? Rule::kEdge
                    : p.mode == PadParam::Mode::kReflect ? Rule::kReflectOnce
                                                         : Rule::kConstant;
  if (rule == Rule::kReflectOnce)
    for (int i = 0; i < nd; ++i)
      MXS_CHECK_CODE(before[i] < a.in[0].shape[i] && after[i] < a.in[0].shape[i], kUnsupported)
          << "failed to plan " << NodeDesc(a.node) << ": reflect padding as wide as the axis";
  return Make(a, rule, before, after, p.constant_value);
}

std::unique_ptr<Kernel> CreateNumpyPad(const KernelArgs& a) {
  const auto& p = a.param<NumpyPadParam>();
  using M = NumpyPadParam::Mode;
  const int nd = a.in[0].shape.ndim();
  std::vector<int64_t> before(nd), after(nd);
  for (int i = 0; i < nd; ++i) {
    before[i] = p.pad_width[i][0];
    after[i] = p.pad_width[i][1];
  }
  const Rule rule = p.mode == M::kEdge        ? Rule::kEdge
                    : p.mode == M::kReflect   ? Rule::kReflect
                    : p.mode == M::kSymmetric ? Rule::kSymmetric
                                              : Rule::kConstant;
  const int stat = p.mode == M::kMaximum ? 1 : p.mode == M::kMinimum ? -1 : 0;
  return Make(a, rule, before, after, p.constant_values, stat);
}

}  // namespace
}  // namespace cuda

// The dtypes of the CPU kernel (which refuses bool, as the factories here do).
MXS_REGISTER_KERNELS(cuda, pad) {
  r.Add("Pad", cuda::CreatePad).DTypes(dtypes::kPlain | DTypeSet{DType::kFloat16});
  r.Add("_npi_pad", cuda::CreateNumpyPad).DTypes(dtypes::kPlain | DTypeSet{DType::kFloat16});
}

}  // namespace mxserve
