// SPDX-License-Identifier: Apache-2.0
// sum, mean, max, min, prod and their numpy forms on float32 / float16 / bfloat16 data whose
// output keeps the input's dtype: one thread per output element, folding its reduced elements in
// float32. The axes come from ops/reduce.h's plan; at bind time the input's dims are split into
// kept and reduced ones (size-1 dims dropped, neighbours of one kind merged), each with its
// input stride. max and min propagate NaN; mean divides the sum by the element count.
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

template <typename T>
__global__ void ReduceKernel(ReduceOp op, const T* x, T* y, int64_t n, ReduceDims d) {
  MXS_GRID_STRIDE(o, n) {
    int64_t rest = o, base = 0;
    for (int k = d.num_kept - 1; k >= 0; --k) {
      base += (rest % d.kept_size[k]) * d.kept_stride[k];
      rest /= d.kept_size[k];
    }
    float acc = Load(x, base);
    for (int64_t r = 1; r < d.count; ++r) {
      int64_t left = r, off = 0;
      for (int k = d.num_reduced - 1; k >= 0; --k) {
        off += (left % d.reduced_size[k]) * d.reduced_stride[k];
        left /= d.reduced_size[k];
      }
      acc = Combine(op, acc, Load(x, base + off));
    }
    if (op == ReduceOp::kMean) acc = acc / static_cast<float>(d.count);
    Store(y, o, acc);
  }
}

class ReduceCuda final : public Kernel {
 public:
  ReduceCuda(ReduceOp op, const ReduceDims& d, DType t, int64_t n, const char* name)
      : op_(op), d_(d), t_(t), n_(n), name_(name) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       ReduceKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           op_, static_cast<const T*>(args.in[0]),
                           static_cast<T*>(args.out[0]), n_, d_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return std::string("cuda:") + name_; }

 private:
  ReduceOp op_;
  ReduceDims d_;
  DType t_;
  int64_t n_;  ///< output elements
  const char* name_;
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
