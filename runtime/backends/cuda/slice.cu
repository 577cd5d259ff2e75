// SPDX-License-Identifier: Apache-2.0
// slice, slice_axis and slice_like on CUDA: the SliceWindow of the op (ops/slice.h), as a strided
// view of the input (negative steps included), copied by one strided-copy launch for any dtype
// of 1, 2, 4 or 8 bytes. An empty window launches nothing.
#include "ops/slice.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> MakeSlice(const KernelArgs& a, const SliceWindow& w) {
  return MakeGatherCuda(a, {w.View(a.in[0].shape)}, "slice");
}

std::unique_ptr<Kernel> CreateSlice(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceParam>().Window(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateSliceAxis(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceAxisParam>().Window(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateSliceLike(const KernelArgs& a) {
  return MakeSlice(a, a.param<SliceLikeParam>().Window(a.in[0].shape, a.in[1].shape));
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, slice) {
  r.Add("slice", cuda::Adapted(cuda::CreateSlice), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("slice_axis", cuda::Adapted(cuda::CreateSliceAxis), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("slice_like", cuda::Adapted(cuda::CreateSliceLike), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
