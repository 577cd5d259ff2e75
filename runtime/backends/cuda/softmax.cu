// SPDX-License-Identifier: Apache-2.0
// The softmax family (softmax, log_softmax, SoftmaxActivation, SoftmaxOutput) on an
// (outer, n, inner) view, max-subtracted, accumulated in float: one block per row where the rows
// are contiguous (inner 1, the last axis: reads coalesced, the row's sum split over the block),
// one thread per row otherwise (neighbouring threads then read neighbouring elements).
// masked_softmax and masked_log_softmax (float32 data, a bool mask broadcast to it) follow the
// CPU kernel's arithmetic instead: one thread per row in double, masked elements entering as the
// lowest float32 (a fully masked row is uniform before masking) and leaving as 0, or -inf for
// the log form.
#include "ops/softmax.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/block_reduce.cuh"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct Rows {
  int64_t outer = 1, n = 1, inner = 1;
  float inv_temperature = 1.f;
  bool log = false;
};

Rows Split(const Shape& s, int axis) {
  Rows r;
  r.outer = ShapeProduct(s, 0, axis);
  r.n = s[axis];
  r.inner = ShapeProduct(s, axis + 1, s.ndim());
  return r;
}

template <typename T>
__global__ void SoftmaxKernel(const T* x, T* y, Rows r) {
  MXS_GRID_STRIDE(row, r.outer * r.inner) {
    const int64_t base = (row / r.inner) * r.n * r.inner + row % r.inner;
    float mx = -INFINITY;
    for (int64_t k = 0; k < r.n; ++k) mx = fmaxf(mx, Load(x, base + k * r.inner));
    float sum = 0.f;
    for (int64_t k = 0; k < r.n; ++k)
      sum += expf((Load(x, base + k * r.inner) - mx) * r.inv_temperature);
    const float log_sum = logf(sum);
    for (int64_t k = 0; k < r.n; ++k) {
      const float z = (Load(x, base + k * r.inner) - mx) * r.inv_temperature;
      Store(y, base + k * r.inner, r.log ? z - log_sum : expf(z) / sum);
    }
  }
}

/// Rows of n contiguous elements (inner 1), one block per row.
template <typename T>
__global__ void SoftmaxRowKernel(const T* x, T* y, Rows r) {
  __shared__ float shared[32];
  MXS_BLOCK_ROWS(row, r.outer) {
    const int64_t base = row * r.n;
    float mx = -INFINITY;
    for (int64_t k = threadIdx.x; k < r.n; k += blockDim.x) mx = fmaxf(mx, Load(x, base + k));
    mx = BlockMax(mx, shared);
    float sum = 0.f;
    for (int64_t k = threadIdx.x; k < r.n; k += blockDim.x)
      sum += expf((Load(x, base + k) - mx) * r.inv_temperature);
    sum = BlockSum(sum, shared);
    const float log_sum = logf(sum);
    for (int64_t k = threadIdx.x; k < r.n; k += blockDim.x) {
      const float z = (Load(x, base + k) - mx) * r.inv_temperature;
      Store(y, base + k, r.log ? z - log_sum : expf(z) / sum);
    }
  }
}

class SoftmaxCuda final : public Kernel {
 public:
  SoftmaxCuda(const Rows& r, DType dtype) : r_(r), dtype_(dtype) {}
  void Run(const RunArgs& args) const override {
    if (r_.outer * r_.inner == 0 || r_.n == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const auto* x = args.in[0];
    void* y = args.out[0];
    if (r_.inner == 1) {
      const unsigned grid = RowGridFor(r_.outer), threads = RowThreadsFor(r_.n);
      MXS_FLOAT_DISPATCH(dtype_, T,
                         SoftmaxRowKernel<<<grid, threads, 0, s>>>(static_cast<const T*>(x),
                                                                   static_cast<T*>(y), r_));
    } else {
      const unsigned grid = GridFor(r_.outer * r_.inner);
      MXS_FLOAT_DISPATCH(dtype_, T,
                         SoftmaxKernel<<<grid, kThreads, 0, s>>>(static_cast<const T*>(x),
                                                                 static_cast<T*>(y), r_));
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return r_.log ? "cuda:log_softmax" : "cuda:softmax"; }

 private:
  Rows r_;
  DType dtype_;
};

std::unique_ptr<Kernel> Make(const KernelArgs& a, Rows r) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA softmax takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  return std::make_unique<SoftmaxCuda>(r, t);
}

std::unique_ptr<Kernel> CreateSoftmaxOrLog(const KernelArgs& a, bool log) {
  const auto& p = a.param<SoftmaxParam>();
  MXS_CHECK_CODE(!p.use_length, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": use_length has no CUDA kernel";
  const Shape& shape = a.in[0].shape;
  Rows r = Split(shape, NormalizeAxis(p.axis, shape.ndim()));
  r.log = log;
  r.inv_temperature = static_cast<float>(1.0 / p.temperature);
  return Make(a, r);
}

std::unique_ptr<Kernel> CreateSoftmax(const KernelArgs& a) { return CreateSoftmaxOrLog(a, false); }
std::unique_ptr<Kernel> CreateLogSoftmax(const KernelArgs& a) {
  return CreateSoftmaxOrLog(a, true);
}

std::unique_ptr<Kernel> CreateSoftmaxActivation(const KernelArgs& a) {
  const auto& p = a.param<SoftmaxActivationParam>();
  const Shape& shape = a.in[0].shape;
  return Make(a, Split(shape, p.channel ? 1 : shape.ndim() - 1));
}

std::unique_ptr<Kernel> CreateSoftmaxOutput(const KernelArgs& a) {
  const auto& p = a.param<SoftmaxOutputParam>();
  const Shape& shape = a.in[0].shape;
  Rows r;
  if (p.multi_output && shape.ndim() >= 2) {
    r = Split(shape, 1);
  } else if (p.preserve_shape) {
    r = Split(shape, shape.ndim() - 1);
  } else {
    r.outer = shape[0];
    r.n = ShapeProduct(shape, 1, shape.ndim());
  }
  return Make(a, r);
}

constexpr int kMaxMaskDims = 8;

/// masked_softmax rows: the (outer, n, inner) view of the data and the mask's element strides
/// per data axis (0 where the mask is broadcast).
struct MaskedRows {
  int64_t outer = 1, n = 1, inner = 1;
  int ndim = 1;
  int axis = 0;
  int64_t dims[kMaxMaskDims] = {};
  int64_t mask_strides[kMaxMaskDims] = {};
  double temperature = 1.0;
  bool log = false;
};

/// Row `row` (outer index * inner + inner index) of masked_softmax.
__host__ __device__ __forceinline__ void MaskedRow(const float* x, const uint8_t* m, float* y,
                                                   const MaskedRows& r, int64_t row) {
  const int64_t base = (row / r.inner) * r.n * r.inner + row % r.inner;
  int64_t mbase = 0, flat = base;
  for (int d = r.ndim - 1; d >= 0; --d) {
    mbase += (flat % r.dims[d]) * r.mask_strides[d];
    flat /= r.dims[d];
  }
  const int64_t mstep = r.mask_strides[r.axis];
  double mx = -INFINITY;
  for (int64_t k = 0; k < r.n; ++k) {
    const double v = m[mbase + k * mstep] != 0 ? x[base + k * r.inner] : -FLT_MAX;
    mx = mx < v ? v : mx;
  }
  double sum = 0.0;
  for (int64_t k = 0; k < r.n; ++k) {
    const float v = m[mbase + k * mstep] != 0 ? x[base + k * r.inner] : -FLT_MAX;
    sum += exp((v - mx) / r.temperature);
  }
  for (int64_t k = 0; k < r.n; ++k) {
    const bool keep = m[mbase + k * mstep] != 0;
    const float v = keep ? x[base + k * r.inner] : -FLT_MAX;
    const double z = (v - mx) / r.temperature;
    double out = r.log ? z - log(sum) : exp(z) / sum;
    if (!keep) out = r.log ? -INFINITY : 0.0;
    y[base + k * r.inner] = static_cast<float>(out);
  }
}

__global__ void MaskedSoftmaxKernel(const float* x, const uint8_t* m, float* y, MaskedRows r) {
  MXS_GRID_STRIDE(row, r.outer * r.inner) { MaskedRow(x, m, y, r, row); }
}

class MaskedSoftmaxCuda final : public Kernel {
 public:
  explicit MaskedSoftmaxCuda(const MaskedRows& r) : r_(r) {}
  void Run(const RunArgs& args) const override {
    const int64_t rows = r_.outer * r_.inner;
    if (rows == 0 || r_.n == 0) return;
    MaskedSoftmaxKernel<<<GridFor(rows), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const uint8_t*>(args.in[1]),
        static_cast<float*>(args.out[0]), r_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return r_.log ? "cuda:masked_log_softmax" : "cuda:masked_softmax";
  }

 private:
  MaskedRows r_;
};

std::unique_ptr<Kernel> CreateMasked(const KernelArgs& a, bool log) {
  const auto& p = a.param<MaskedSoftmaxParam>();
  const std::string what = "failed to plan " + NodeDesc(a.node);
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32 && a.out[0].dtype == DType::kFloat32 &&
                     a.in[1].dtype == DType::kBool,
                 kUnsupported)
      << what << ": the CUDA masked softmax takes float32 data and output and a bool mask";
  const Shape& data = a.in[0].shape;
  const Shape& mask = a.in[1].shape;
  MXS_CHECK_CODE(data.ndim() >= 1 && data.ndim() <= kMaxMaskDims && mask.ndim() == data.ndim(),
                 kUnsupported)
      << what << ": data of " << data.ndim() << " dimensions has no CUDA kernel";
  MaskedRows r;
  r.ndim = data.ndim();
  r.axis = NormalizeAxis(p.axis, data.ndim());
  r.outer = ShapeProduct(data, 0, r.axis);
  r.n = data[r.axis];
  r.inner = ShapeProduct(data, r.axis + 1, data.ndim());
  int64_t st = 1;
  for (int i = r.ndim - 1; i >= 0; --i) {
    r.dims[i] = data[i];
    r.mask_strides[i] = mask[i] == 1 ? 0 : st;
    st *= mask[i];
  }
  r.temperature = p.temperature;
  r.log = log;
  return std::make_unique<MaskedSoftmaxCuda>(r);
}

std::unique_ptr<Kernel> CreateMaskedSoftmax(const KernelArgs& a) { return CreateMasked(a, false); }
std::unique_ptr<Kernel> CreateMaskedLogSoftmax(const KernelArgs& a) {
  return CreateMasked(a, true);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, softmax) {
  r.Add("softmax", cuda::Adapted(cuda::CreateSoftmax), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("log_softmax", cuda::Adapted(cuda::CreateLogSoftmax), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  // float32 data, as the CPU kernel; the mask (input 1) is bool.
  r.Add("masked_softmax", cuda::CreateMaskedSoftmax).Input(1, {DType::kBool});
  r.Add("masked_log_softmax", cuda::CreateMaskedLogSoftmax).Input(1, {DType::kBool});
  r.Add("SoftmaxActivation", cuda::CreateSoftmaxActivation).DTypes(cuda::kFloatData);
  // The label (input 1) is never read.
  r.Add("SoftmaxOutput", cuda::CreateSoftmaxOutput)
      .DTypes(cuda::kFloatData)
      .Input(1, dtypes::kAny);
}

}  // namespace mxserve
