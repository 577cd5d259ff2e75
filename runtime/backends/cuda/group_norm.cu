// SPDX-License-Identifier: Apache-2.0
// GroupNorm on CUDA: one block per (sample, group) of the data (N, C, S), whose C / groups
// channels of S elements are contiguous; it sums them for the mean, then the squared
// deviations for the variance, in float, and writes (x - mean) / sqrt(var + eps) * gamma +
// beta, gamma and beta per group or per channel, and with output_mean_var the mean and std.
// gamma and beta share one float dtype, which may differ from the data's.
#include "ops/group_norm.h"

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

struct Groups {
  int64_t count = 0;           ///< N * groups
  int64_t groups = 1;
  int64_t per_group = 1;       ///< channels per group
  int64_t spatial = 1;         ///< S
  bool per_channel = false;    ///< gamma and beta have one entry per channel, not per group
  float eps = 1e-5f;
};

/// mean and std are null unless output_mean_var.
template <typename T, typename G>
__global__ void GroupNormKernel(const T* x, const G* gamma, const G* beta, T* y, T* mean_out,
                                T* std_out, Groups p) {
  __shared__ float shared[32];
  const int64_t size = p.per_group * p.spatial;
  MXS_BLOCK_ROWS(block, p.count) {
    const int64_t base = block * size, g = block % p.groups;
    const Moments m = BlockMoments(x, base, size, 1, p.eps, shared);
    for (int64_t i = threadIdx.x; i < size; i += blockDim.x) {
      const int64_t k = p.per_channel ? g * p.per_group + i / p.spatial : g;
      Store(y, base + i, (Load(x, base + i) - m.mean) / m.std * Load(gamma, k) + Load(beta, k));
    }
    if (mean_out != nullptr && threadIdx.x == 0) {
      Store(mean_out, block, m.mean);
      Store(std_out, block, m.std);
    }
  }
}

class GroupNormCuda final : public Kernel {
 public:
  GroupNormCuda(const Groups& p, DType dtype, DType gamma_dtype, bool mean_var)
      : p_(p), dtype_(dtype), gamma_dtype_(gamma_dtype), mean_var_(mean_var) {}
  void Run(const RunArgs& args) const override {
    DispatchDataAndGamma(dtype_, gamma_dtype_, [&](auto* t, auto* g) {
      using T = Pointee<decltype(t)>;
      using G = Pointee<decltype(g)>;
      T* mean = mean_var_ ? static_cast<T*>(args.out[1]) : nullptr;
      T* std = mean_var_ ? static_cast<T*>(args.out[2]) : nullptr;
      GroupNormKernel<<<RowGridFor(p_.count), kThreads, 0, StreamOf(args).get()>>>(
          static_cast<const T*>(args.in[0]), static_cast<const G*>(args.in[1]),
          static_cast<const G*>(args.in[2]), static_cast<T*>(args.out[0]), mean, std, p_);
      MXS_CUDA_CHECK_LAUNCH();
    });
  }
  std::string Describe() const override { return "cuda:group_norm"; }

 private:
  Groups p_;
  DType dtype_, gamma_dtype_;
  bool mean_var_;
};

std::unique_ptr<Kernel> CreateGroupNorm(const KernelArgs& a) {
  const auto& p = a.param<GroupNormParam>();
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  bool same = a.out[0].dtype == t;
  if (p.output_mean_var) same = same && a.out[1].dtype == t && a.out[2].dtype == t;
  MXS_CHECK_CODE(IsFloatData(t) && same, kUnsupported)
      << what << ": the CUDA GroupNorm takes float32, float16 or bfloat16 data with outputs of "
      << "the same dtype";
  MXS_CHECK_CODE(IsFloatData(a.in[1].dtype) && a.in[2].dtype == a.in[1].dtype, kUnsupported)
      << what << ": the CUDA GroupNorm needs gamma and beta of one float dtype";
  const Shape& s = a.in[0].shape;
  Groups g;
  g.groups = p.num_groups;
  g.count = s[0] * p.num_groups;
  g.per_group = s[1] / p.num_groups;
  g.spatial = ShapeProduct(s, 2, s.ndim());
  g.per_channel = a.in[1].shape[0] != p.num_groups;
  g.eps = p.eps;
  return std::make_unique<GroupNormCuda>(g, t, a.in[1].dtype, p.output_mean_var);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, group_norm) {
  r.Add("GroupNorm", cuda::Adapted(cuda::CreateGroupNorm), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
