// SPDX-License-Identifier: Apache-2.0
// transpose, _np_transpose and SwapAxis on CUDA: one thread per output element, any dtype of
// 1, 2, 4 or 8 bytes.
#include "ops/transpose.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxDims = 8;

/// Output extents and, per output dim, the stride of the input dim it reads.
struct Permuted {
  int ndim = 0;
  int64_t out[kMaxDims];
  int64_t in_stride[kMaxDims];
};

template <typename T>
__global__ void TransposeKernel(const T* x, T* y, int64_t n, Permuted p) {
  MXS_GRID_STRIDE(i, n) {
    int64_t rest = i, src = 0;
    for (int d = p.ndim - 1; d >= 0; --d) {
      src += (rest % p.out[d]) * p.in_stride[d];
      rest /= p.out[d];
    }
    y[i] = x[src];
  }
}

class TransposeCuda final : public Kernel {
 public:
  TransposeCuda(const Permuted& p, int64_t n, size_t elem) : p_(p), n_(n), elem_(elem) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    const unsigned grid = GridFor(n_);
    switch (elem_) {
      case 1: Launch<uint8_t>(args, grid, s); break;
      case 2: Launch<uint16_t>(args, grid, s); break;
      case 4: Launch<uint32_t>(args, grid, s); break;
      default: Launch<uint64_t>(args, grid, s); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:transpose"; }

 private:
  template <typename T>
  void Launch(const RunArgs& args, unsigned grid, cudaStream_t s) const {
    TransposeKernel<<<grid, kThreads, 0, s>>>(static_cast<const T*>(args.in[0]),
                                              static_cast<T*>(args.out[0]), n_, p_);
  }
  Permuted p_;
  int64_t n_;
  size_t elem_;
};

std::unique_ptr<Kernel> Make(const KernelArgs& a, const std::vector<int>& perm) {
  const Shape& in = a.in[0].shape;
  const size_t elem = DTypeSize(a.in[0].dtype);
  MXS_CHECK_CODE(in.ndim() <= kMaxDims && (elem == 1 || elem == 2 || elem == 4 || elem == 8),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": transpose of " << in.ToString() << " "
      << DTypeName(a.in[0].dtype) << " on CUDA";
  std::vector<int64_t> stride(in.ndim());
  int64_t s = 1;
  for (int d = in.ndim() - 1; d >= 0; --d) {
    stride[d] = s;
    s *= in[d];
  }
  Permuted p;
  p.ndim = std::max(1, in.ndim());
  p.out[0] = 1;
  p.in_stride[0] = 0;
  for (int d = 0; d < in.ndim(); ++d) {
    p.out[d] = in[perm[d]];
    p.in_stride[d] = stride[perm[d]];
  }
  return std::make_unique<TransposeCuda>(p, in.Size(), elem);
}

std::unique_ptr<Kernel> CreateTranspose(const KernelArgs& a) {
  return Make(a, a.param<TransposeParam>().Permutation(a.in[0].shape.ndim()));
}
std::unique_ptr<Kernel> CreateNumpyTranspose(const KernelArgs& a) {
  return Make(a, a.param<NumpyTransposeParam>().Permutation(a.in[0].shape.ndim()));
}
std::unique_ptr<Kernel> CreateSwapAxis(const KernelArgs& a) {
  return Make(a, a.param<SwapAxisParam>().Permutation(a.in[0].shape.ndim()));
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, transpose) {
  r.Add("transpose", cuda::CreateTranspose).DTypes(dtypes::kAny);
  r.Add("_np_transpose", cuda::CreateNumpyTranspose).DTypes(dtypes::kAny);
  r.Add("SwapAxis", cuda::CreateSwapAxis).DTypes(dtypes::kAny);
}

}  // namespace mxserve
