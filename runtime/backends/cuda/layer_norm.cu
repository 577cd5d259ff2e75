// SPDX-License-Identifier: Apache-2.0
// LayerNorm on CUDA over an (outer, n, inner) view of the data: one block per (outer, inner)
// row, which sums the row for its mean, then the squared deviations for its variance, in
// float, and writes (x - mean) / sqrt(var + eps) * gamma + beta and, with output_mean_var, the
// mean and the std. gamma and beta share one float dtype, which may differ from the data's.
#include "ops/layer_norm.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/block_reduce.cuh"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct NormRows {
  int64_t outer = 1, n = 1, inner = 1;
  float eps = 1e-5f;
};

/// T: the data, output, mean and std dtype; G: the gamma and beta dtype. mean and std are null
/// unless output_mean_var.
template <typename T, typename G>
__global__ void LayerNormKernel(const T* x, const G* gamma, const G* beta, T* y, T* mean_out,
                                T* std_out, NormRows r) {
  __shared__ float shared[32];
  MXS_BLOCK_ROWS(row, r.outer * r.inner) {
    const int64_t base = (row / r.inner) * r.n * r.inner + row % r.inner;
    const Moments m = BlockMoments(x, base, r.n, r.inner, r.eps, shared);
    for (int64_t k = threadIdx.x; k < r.n; k += blockDim.x) {
      const float v = (Load(x, base + k * r.inner) - m.mean) / m.std;
      Store(y, base + k * r.inner, v * Load(gamma, k) + Load(beta, k));
    }
    if (mean_out != nullptr && threadIdx.x == 0) {
      Store(mean_out, row, m.mean);
      Store(std_out, row, m.std);
    }
  }
}

class LayerNormCuda final : public Kernel {
 public:
  LayerNormCuda(const NormRows& r, DType dtype, DType gamma_dtype, bool mean_var)
      : r_(r), dtype_(dtype), gamma_dtype_(gamma_dtype), mean_var_(mean_var) {}
  void Run(const RunArgs& args) const override {
    DispatchDataAndGamma(dtype_, gamma_dtype_, [&](auto* t, auto* g) {
      using T = Pointee<decltype(t)>;
      using G = Pointee<decltype(g)>;
      T* mean = mean_var_ ? static_cast<T*>(args.out[1]) : nullptr;
      T* std = mean_var_ ? static_cast<T*>(args.out[2]) : nullptr;
      LayerNormKernel<<<RowGridFor(r_.outer * r_.inner), kThreads, 0, StreamOf(args).get()>>>(
          static_cast<const T*>(args.in[0]), static_cast<const G*>(args.in[1]),
          static_cast<const G*>(args.in[2]), static_cast<T*>(args.out[0]), mean, std, r_);
      MXS_CUDA_CHECK_LAUNCH();
    });
  }
  std::string Describe() const override { return "cuda:layer_norm"; }

 private:
  NormRows r_;
  DType dtype_, gamma_dtype_;
  bool mean_var_;
};

std::unique_ptr<Kernel> CreateLayerNorm(const KernelArgs& a) {
  const auto& p = a.param<LayerNormParam>();
  const std::string what = NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  bool same = a.out[0].dtype == t;
  if (p.output_mean_var) same = same && a.out[1].dtype == t && a.out[2].dtype == t;
  MXS_CHECK_CODE(IsFloatData(t) && same, kUnsupported)
      << "failed to plan " << what << ": the CUDA LayerNorm takes float32, float16 or bfloat16 "
      << "data with outputs of the same dtype";
  MXS_CHECK_CODE(IsFloatData(a.in[1].dtype) && a.in[2].dtype == a.in[1].dtype, kUnsupported)
      << "failed to plan " << what << ": the CUDA LayerNorm needs gamma and beta of one float "
      << "dtype";
  const Shape& shape = a.in[0].shape;
  const int axis = NormalizeAxis(p.axis, shape.ndim());
  NormRows r;
  r.outer = ShapeProduct(shape, 0, axis);
  r.n = shape[axis];
  r.inner = ShapeProduct(shape, axis + 1, shape.ndim());
  r.eps = static_cast<float>(p.eps);
  return std::make_unique<LayerNormCuda>(r, t, a.in[1].dtype, p.output_mean_var);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, layer_norm) {
  r.Add("LayerNorm", cuda::Adapted(cuda::CreateLayerNorm), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
