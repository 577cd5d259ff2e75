// SPDX-License-Identifier: Apache-2.0
// SliceChannel, _split_v2, _npi_hsplit and _npi_dsplit on CUDA: output k is its window of the
// split axis (SplitLayout::Views), one strided-copy launch per output, for any dtype of 1, 2, 4
// or 8 bytes.
#include "ops/split.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> MakeSplit(const KernelArgs& a, const SplitLayout& l) {
  return MakeGatherCuda(a, l.Views(a.in[0].shape), "split");
}

std::unique_ptr<Kernel> CreateSliceChannel(const KernelArgs& a) {
  return MakeSplit(a, a.param<SliceChannelParam>().Layout(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateSplitV2(const KernelArgs& a) {
  return MakeSplit(a, a.param<SplitV2Param>().Layout(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateHSplit(const KernelArgs& a) {
  return MakeSplit(a, a.param<HSplitParam>().Layout(a.in[0].shape));
}

std::unique_ptr<Kernel> CreateDSplit(const KernelArgs& a) {
  return MakeSplit(a, a.param<DSplitParam>().Layout(a.in[0].shape));
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, split) {
  r.Add("SliceChannel", cuda::Adapted(cuda::CreateSliceChannel), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_split_v2", cuda::Adapted(cuda::CreateSplitV2), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_npi_hsplit", cuda::Adapted(cuda::CreateHSplit), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_npi_dsplit", cuda::Adapted(cuda::CreateDSplit), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
