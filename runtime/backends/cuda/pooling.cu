// SPDX-License-Identifier: Apache-2.0
// Pooling (max, avg, sum, lp; global; MXNet's valid, full and same conventions; count_include_pad)
// as MXNet's own pool.h computes it: one thread per output element (PoolElement,
// backends/cuda/pool_window.h), the window clipped to the padded input for the average's
// divisor. Input and output are each row-major or channels-last.
#include "ops/pooling.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/pool_window.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename T>
__global__ void PoolKernel(const T* x, T* y, PoolWindow w) {
  MXS_GRID_STRIDE(i, w.size()) {
    Store(y, i, PoolElement(w, i, [x](int64_t k) { return Load(x, k); }));
  }
}

class PoolingCuda final : public Kernel {
 public:
  PoolingCuda(const PoolWindow& w, DType dtype, std::string name)
      : w_(w), dtype_(dtype), name_(std::move(name)) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(w_.size());
    MXS_FLOAT_DISPATCH(dtype_, T,
                       PoolKernel<<<grid, kThreads, 0, s>>>(static_cast<const T*>(args.in[0]),
                                                            static_cast<T*>(args.out[0]), w_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:pooling_" + name_; }

 private:
  PoolWindow w_;
  DType dtype_;
  std::string name_;
};

std::unique_ptr<Kernel> CreatePooling(const KernelArgs& a) {
  const auto& p = a.param<PoolingParam>();
  const Shape& in = a.in[0].shape;
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": CUDA pooling takes float32, float16 or "
      << "bfloat16 data";
  MXS_CHECK_CODE(in.ndim() >= 3 && in.ndim() <= 5, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": pooling of " << in.ToString();
  PoolWindow w;
  MXS_CHECK_CODE(PoolWindowOf(p, in, a.out[0].shape, a.in[0].layout, a.out[0].layout, &w),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": " << p.pool_type << " pooling with p_value "
      << p.p_value << " on CUDA";
  return std::make_unique<PoolingCuda>(w, t, p.pool_type);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, pooling) {
  r.Add("Pooling", cuda::Adapted(cuda::CreatePooling), Backend::kAnyLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
