// SPDX-License-Identifier: Apache-2.0
// transpose, _np_transpose and SwapAxis on CUDA: a strided copy (strided_copy.h) reading the
// input through the permuted view of ops/transpose.h, one thread per output element, any dtype
// of 1, 2, 4 or 8 bytes.
#include "ops/transpose.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> Make(const KernelArgs& a, const std::vector<int>& perm) {
  return MakeGatherCuda(a, {PermutedView(perm, a.in[0].shape)}, "transpose");
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
