// SPDX-License-Identifier: Apache-2.0
// SliceChannel, _split_v2, _npi_hsplit and _npi_dsplit: output k is the window [begin[k], begin[k]
// + size[k]) of the split axis, copied by a strided gather (contiguous rows become one memcpy
// each).
#include "ops/split.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> MakeSplit(const KernelArgs& a, const SplitLayout& l) {
  const Shape& in = a.in[0].shape;
  const std::vector<int64_t> strides = RowMajorStrides(in.dims());
  const int64_t elem = static_cast<int64_t>(DTypeSize(a.in[0].dtype));
  std::vector<StridedGather> gathers;
  for (size_t k = 0; k < l.size.size(); ++k) {
    std::vector<int64_t> dims = in.dims();
    dims[l.axis] = l.size[k];
    gathers.emplace_back(dims, strides, l.begin[k] * strides[l.axis], elem);
  }
  return std::make_unique<StridedGatherKernel>(std::move(gathers));
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
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, split) {
  r.Add("SliceChannel", cpu::CreateSliceChannel).DTypes(dtypes::kAny);
  r.Add("_split_v2", cpu::CreateSplitV2).DTypes(dtypes::kAny);
  r.Add("_npi_hsplit", cpu::CreateHSplit).DTypes(dtypes::kAny);
  r.Add("_npi_dsplit", cpu::CreateDSplit).DTypes(dtypes::kAny);
}

}  // namespace mxserve
