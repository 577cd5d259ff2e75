// SPDX-License-Identifier: Apache-2.0
// The softmax family (softmax, log_softmax, SoftmaxActivation, SoftmaxOutput) on an
// (outer, n, inner) view: one thread per row, max-subtracted, accumulated in float.
#include "ops/softmax.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_check.h"
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

class SoftmaxCuda final : public Kernel {
 public:
  SoftmaxCuda(const Rows& r, DType dtype) : r_(r), dtype_(dtype) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(r_.outer * r_.inner);
    MXS_FLOAT_DISPATCH(dtype_, T,
                       SoftmaxKernel<<<grid, kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), r_));
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

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, softmax) {
  r.Add("softmax", cuda::Adapted(cuda::CreateSoftmax), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("log_softmax", cuda::Adapted(cuda::CreateLogSoftmax), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("SoftmaxActivation", cuda::CreateSoftmaxActivation).DTypes(cuda::kFloatData);
  // The label (input 1) is never read.
  r.Add("SoftmaxOutput", cuda::CreateSoftmaxOutput)
      .DTypes(cuda::kFloatData)
      .Input(1, dtypes::kAny);
}

}  // namespace mxserve
