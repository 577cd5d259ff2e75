// SPDX-License-Identifier: Apache-2.0
// Pooling (max, avg, sum, lp; global; MXNet's valid, full and same conventions; count_include_pad)
// as MXNet's own pool.h computes it: one thread per output element, the window clipped to the
// padded input for the average's divisor.
#include "ops/pooling.h"

#include <cfloat>
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

enum class PoolKind : int { kMax, kAvg, kSum, kLp2, kLp3, kLp1 };

/// Geometry with the spatial dims left-padded to three (size 1, kernel 1).
struct Window {
  int64_t planes = 0;
  int64_t in[3], out[3], kernel[3], stride[3], pad[3];
  PoolKind kind = PoolKind::kMax;
  bool count_include_pad = true;
};

template <typename T>
__global__ void PoolKernel(const T* x, T* y, Window w) {
  const int64_t out_plane = w.out[0] * w.out[1] * w.out[2];
  const int64_t in_plane = w.in[0] * w.in[1] * w.in[2];
  MXS_GRID_STRIDE(i, w.planes * out_plane) {
    const int64_t plane = i / out_plane;
    int64_t rest = i % out_plane;
    int64_t pos[3];
    pos[2] = rest % w.out[2];
    rest /= w.out[2];
    pos[1] = rest % w.out[1];
    pos[0] = rest / w.out[1];
    int64_t begin[3], end[3];
    int64_t padded_size = 1, valid_size = 1;
    for (int d = 0; d < 3; ++d) {
      const int64_t start = pos[d] * w.stride[d] - w.pad[d];
      const int64_t stop = start + w.kernel[d] < w.in[d] + w.pad[d] ? start + w.kernel[d]
                                                                  : w.in[d] + w.pad[d];
      padded_size *= stop - start;
      begin[d] = start > 0 ? start : 0;
      end[d] = stop < w.in[d] ? stop : w.in[d];
      valid_size *= end[d] > begin[d] ? end[d] - begin[d] : 0;
    }
    const float divisor = w.kind == PoolKind::kAvg
                              ? static_cast<float>(w.count_include_pad ? padded_size : valid_size)
                              : 1.f;
    const T* xp = x + plane * in_plane;
    float acc = w.kind == PoolKind::kMax ? -FLT_MAX : 0.f;
    for (int64_t a = begin[0]; a < end[0]; ++a)
      for (int64_t b = begin[1]; b < end[1]; ++b)
        for (int64_t c = begin[2]; c < end[2]; ++c) {
          const float v = Load(xp, (a * w.in[1] + b) * w.in[2] + c);
          switch (w.kind) {
            case PoolKind::kMax: acc = v > acc ? v : acc; break;
            case PoolKind::kAvg: acc += v / divisor; break;  // MXNet divides each term
            case PoolKind::kLp2: acc += v * v; break;
            case PoolKind::kLp3: acc += v * v * v; break;
            default: acc += v; break;
          }
        }
    if (w.kind == PoolKind::kLp2) acc = sqrtf(acc);
    if (w.kind == PoolKind::kLp3) acc = cbrtf(acc);
    Store(y, i, acc);
  }
}

class PoolingCuda final : public Kernel {
 public:
  PoolingCuda(const Window& w, DType dtype, std::string name)
      : w_(w), dtype_(dtype), name_(std::move(name)) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(w_.planes * w_.out[0] * w_.out[1] * w_.out[2]);
    MXS_FLOAT_DISPATCH(dtype_, T,
                       PoolKernel<<<grid, kThreads, 0, s>>>(static_cast<const T*>(args.in[0]),
                                                            static_cast<T*>(args.out[0]), w_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:pooling_" + name_; }

 private:
  Window w_;
  DType dtype_;
  std::string name_;
};

std::unique_ptr<Kernel> CreatePooling(const KernelArgs& a) {
  const auto& p = a.param<PoolingParam>();
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": CUDA pooling takes float32, float16 or "
      << "bfloat16 data";
  MXS_CHECK_CODE(in.ndim() >= 3 && in.ndim() <= 5, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": pooling of " << in.ToString();
  std::vector<int64_t> kernel, stride, pad;
  PoolingWindow(p, in, kernel, stride, pad);
  Window w;
  w.planes = in[0] * in[1];
  const int nd = in.ndim() - 2;
  for (int i = 0; i < 3; ++i) {
    const int j = i - (3 - nd);
    w.in[i] = j < 0 ? 1 : in[2 + j];
    w.out[i] = j < 0 ? 1 : out[2 + j];
    w.kernel[i] = j < 0 ? 1 : kernel[j];
    w.stride[i] = j < 0 ? 1 : stride[j];
    w.pad[i] = j < 0 ? 0 : pad[j];
  }
  w.count_include_pad = p.count_include_pad;
  if (p.pool_type == "max") w.kind = PoolKind::kMax;
  else if (p.pool_type == "avg") w.kind = PoolKind::kAvg;
  else if (p.pool_type == "sum") w.kind = PoolKind::kSum;
  else if (p.pool_type == "lp" && p.p_value == 2) w.kind = PoolKind::kLp2;
  else if (p.pool_type == "lp" && p.p_value == 3) w.kind = PoolKind::kLp3;
  else if (p.pool_type == "lp" && p.p_value == 1) w.kind = PoolKind::kLp1;
  else
    MXS_THROW(kUnsupported) << "failed to plan " << NodeDesc(a.node) << ": " << p.pool_type
                            << " pooling with p_value " << p.p_value << " on CUDA";
  return std::make_unique<PoolingCuda>(w, t, p.pool_type);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, pooling) {
  r.Add("Pooling", cuda::Adapted(cuda::CreatePooling), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
