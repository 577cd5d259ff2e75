// SPDX-License-Identifier: Apache-2.0
// sum, mean, max, min, prod and their numpy forms on float32 / float16 / bfloat16 data whose
// output keeps the input's dtype, folding the reduced elements in float32. The axes come from
// ops/reduce.h's plan; at bind time the input's dims are split into kept and reduced ones
// (size-1 dims dropped, neighbours of one kind merged), each with its input stride. Few outputs
// over many reduced elements (a global sum) take one block per output: each thread folds a
// strided share, then the block combines the partial results by warp shuffles and shared
// memory. Everything else takes one thread per output element. max and min propagate NaN; mean
// divides the sum by the element count.
#include "ops/reduce.h"

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxDims = 8;

enum class ReduceOp : int { kSum, kMean, kMax, kMin, kProd };

/// The kept dims (output order) and the reduced dims, with the input stride of each.
struct ReduceDims {
  int num_kept = 0;
  int64_t kept_size[kMaxDims];
  int64_t kept_stride[kMaxDims];
  int num_reduced = 0;
  int64_t reduced_size[kMaxDims];
  int64_t reduced_stride[kMaxDims];
  int64_t count = 1;  ///< reduced elements per output element
};

__device__ __forceinline__ float Combine(ReduceOp op, float acc, float v) {
  switch (op) {
    case ReduceOp::kMax: return (acc != acc || acc >= v) ? acc : v;
    case ReduceOp::kMin: return (acc != acc || acc <= v) ? acc : v;
    case ReduceOp::kProd: return acc * v;
    default: return acc + v;
  }
}

/// The input offset of reduced element r relative to its output's first element.
__device__ __forceinline__ int64_t ReducedOffset(const ReduceDims& d, int64_t r) {
  int64_t off = 0;
  for (int k = d.num_reduced - 1; k >= 0; --k) {
    off += (r % d.reduced_size[k]) * d.reduced_stride[k];
    r /= d.reduced_size[k];
  }
  return off;
}

/// The input offset of output element o's first reduced element.
__device__ __forceinline__ int64_t KeptOffset(const ReduceDims& d, int64_t o) {
  int64_t base = 0;
  for (int k = d.num_kept - 1; k >= 0; --k) {
    base += (o % d.kept_size[k]) * d.kept_stride[k];
    o /= d.kept_size[k];
  }
  return base;
}

template <typename T>
__global__ void ReduceKernel(ReduceOp op, const T* x, T* y, int64_t n, ReduceDims d) {
  MXS_GRID_STRIDE(o, n) {
    const int64_t base = KeptOffset(d, o);
    float acc = Load(x, base);
    for (int64_t r = 1; r < d.count; ++r)
      acc = Combine(op, acc, Load(x, base + ReducedOffset(d, r)));
    if (op == ReduceOp::kMean) acc = acc / static_cast<float>(d.count);
    Store(y, o, acc);
  }
}

/// Reduced elements per output above which few outputs take one block each.
constexpr int64_t kBlockCount = 1024;
/// Outputs up to which a count above kBlockCount takes one block per output.
constexpr int64_t kBlockOutputs = 65536;
constexpr int kWarp = 32;
static_assert(kThreads % kWarp == 0 && kThreads / kWarp <= kWarp &&
                  ((kThreads / kWarp) & (kThreads / kWarp - 1)) == 0,
              "one warp combines a power of two of warps");

/// Combines the values of lanes [0, lanes) of a warp, lanes a power of two up to kWarp; every
/// lane of the warp takes part and lane 0 ends with the result.
__device__ __forceinline__ float WarpCombine(ReduceOp op, float v, int lanes) {
  for (int delta = lanes / 2; delta > 0; delta /= 2)
    v = Combine(op, v, __shfl_down_sync(0xffffffffu, v, delta));
  return v;
}

/// One block of kThreads per output (blocks stride over outputs); needs d.count >= kThreads, so
/// that every thread folds at least one element.
template <typename T>
__global__ void __launch_bounds__(kThreads)
    BlockReduceKernel(ReduceOp op, const T* x, T* y, int64_t n, ReduceDims d) {
  __shared__ float partial[kThreads / kWarp];
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  for (int64_t o = blockIdx.x; o < n; o += gridDim.x) {
    const int64_t base = KeptOffset(d, o);
    float acc = Load(x, base + ReducedOffset(d, threadIdx.x));
    for (int64_t r = threadIdx.x + kThreads; r < d.count; r += kThreads)
      acc = Combine(op, acc, Load(x, base + ReducedOffset(d, r)));
    acc = WarpCombine(op, acc, kWarp);
    if (lane == 0) partial[warp] = acc;
    __syncthreads();
    if (warp == 0) {
      // The first kThreads / kWarp lanes combine the partial results; the others only take part.
      acc = WarpCombine(op, partial[lane < kThreads / kWarp ? lane : 0], kThreads / kWarp);
      if (lane == 0) {
        if (op == ReduceOp::kMean) acc = acc / static_cast<float>(d.count);
        Store(y, o, acc);
      }
    }
    __syncthreads();  // partial is rewritten by the next output
  }
}

class ReduceCuda final : public Kernel {
 public:
  ReduceCuda(ReduceOp op, const ReduceDims& d, DType t, int64_t n, const char* name)
      : op_(op), d_(d), t_(t), n_(n), name_(name) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const auto* x = args.in[0];
    void* y = args.out[0];
    if (BlockPerOutput()) {
      const unsigned grid = static_cast<unsigned>(n_);
      MXS_FLOAT_DISPATCH(t_, T,
                         BlockReduceKernel<<<grid, kThreads, 0, s>>>(
                             op_, static_cast<const T*>(x), static_cast<T*>(y), n_, d_));
    } else {
      MXS_FLOAT_DISPATCH(t_, T,
                         ReduceKernel<<<GridFor(n_), kThreads, 0, s>>>(
                             op_, static_cast<const T*>(x), static_cast<T*>(y), n_, d_));
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override {
    return std::string("cuda:") + name_ + (BlockPerOutput() ? "_block" : "");
  }

 private:
  ReduceOp op_;
  ReduceDims d_;
  DType t_;
  int64_t n_;  ///< output elements
  const char* name_;

  bool BlockPerOutput() const { return d_.count > kBlockCount && n_ <= kBlockOutputs; }
};

/// Splits the row-major input dims into kept and reduced runs; false past kMaxDims runs.
bool SplitDims(const Shape& in, const std::vector<bool>& reduced, ReduceDims* d) {
  int64_t stride = 1;
  int last_kind = -1;  // 0 kept, 1 reduced, of the run started last (the next-inner one)
  // Walk from the innermost dim so that each run's stride is its innermost dim's stride.
  int64_t ksize[kMaxDims], kstride[kMaxDims], rsize[kMaxDims], rstride[kMaxDims];
  int nk = 0, nr = 0;
  for (int i = in.ndim() - 1; i >= 0; --i) {
    const int64_t size = in[i];
    if (size != 1) {
      const int kind = reduced[i] ? 1 : 0;
      if (kind == last_kind) {
        (kind ? rsize[nr - 1] : ksize[nk - 1]) *= size;
      } else {
        if ((kind ? nr : nk) == kMaxDims) return false;
        if (kind) {
          rsize[nr] = size;
          rstride[nr++] = stride;
        } else {
          ksize[nk] = size;
          kstride[nk++] = stride;
        }
        last_kind = kind;
      }
      if (kind) d->count *= size;
    }
    stride *= size;
  }
  // The runs were found innermost first; the kernel takes them outermost first.
  d->num_kept = nk;
  for (int k = 0; k < nk; ++k) {
    d->kept_size[k] = ksize[nk - 1 - k];
    d->kept_stride[k] = kstride[nk - 1 - k];
  }
  d->num_reduced = nr;
  for (int k = 0; k < nr; ++k) {
    d->reduced_size[k] = rsize[nr - 1 - k];
    d->reduced_stride[k] = rstride[nr - 1 - k];
  }
  return true;
}

std::unique_ptr<Kernel> MakeReduce(const KernelArgs& a, const ReducePlan& plan, ReduceOp op,
                                   const char* name) {
  const TensorDesc& in = a.in[0];
  const DType t = in.dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype, not " << DTypeName(t) << " -> "
      << DTypeName(a.out[0].dtype);
  MXS_CHECK_CODE(in.shape.Size() > 0, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the input has no elements";
  ReduceDims d;
  MXS_CHECK_CODE(SplitDims(in.shape, plan.reduced, &d), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": more than " << kMaxDims
      << " alternating kept and reduced axes";
  const int64_t n = a.out[0].shape.Size();
  MXS_CHECK_CODE(n * d.count == in.shape.Size(), kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": output " << a.out[0].shape.ToString()
      << " does not match the reduction of " << in.shape.ToString();
  return std::make_unique<ReduceCuda>(op, d, t, n, name);
}

template <ReduceOp kOp>
const char* NameOf() {
  switch (kOp) {
    case ReduceOp::kSum: return "sum";
    case ReduceOp::kMean: return "mean";
    case ReduceOp::kMax: return "max";
    case ReduceOp::kMin: return "min";
    default: return "prod";
  }
}

template <ReduceOp kOp>
std::unique_ptr<Kernel> CreateLegacy(const KernelArgs& a) {
  return MakeReduce(a, a.param<ReduceAxesParam>().Plan(a.in[0].shape), kOp, NameOf<kOp>());
}

template <ReduceOp kOp>
std::unique_ptr<Kernel> CreateNumpy(const KernelArgs& a) {
  return MakeReduce(a, a.param<NumpyReduceParam>().Plan(a.in[0].shape), kOp, NameOf<kOp>());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, reduce) {
  using cuda::ReduceOp;
  r.Add("sum", cuda::Adapted(cuda::CreateLegacy<ReduceOp::kSum>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("mean", cuda::Adapted(cuda::CreateLegacy<ReduceOp::kMean>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("max", cuda::Adapted(cuda::CreateLegacy<ReduceOp::kMax>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("min", cuda::Adapted(cuda::CreateLegacy<ReduceOp::kMin>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("prod", cuda::Adapted(cuda::CreateLegacy<ReduceOp::kProd>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_np_sum", cuda::Adapted(cuda::CreateNumpy<ReduceOp::kSum>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_npi_mean", cuda::Adapted(cuda::CreateNumpy<ReduceOp::kMean>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_np_max", cuda::Adapted(cuda::CreateNumpy<ReduceOp::kMax>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_np_min", cuda::Adapted(cuda::CreateNumpy<ReduceOp::kMin>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
  r.Add("_np_prod", cuda::Adapted(cuda::CreateNumpy<ReduceOp::kProd>), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
