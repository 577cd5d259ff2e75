// SPDX-License-Identifier: Apache-2.0
// SliceChannel, _split_v2, _npi_hsplit and _npi_dsplit: output k is the window [begin[k], begin[k]
// + size[k]) of the split axis (SplitLayout::Views), copied by a strided gather (contiguous rows
// become one memcpy each).
#include "ops/split.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> MakeSplit(const KernelArgs& a, const SplitLayout& l) {
  return MakeStridedGather(a, l.Views(a.in[0].shape));
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
