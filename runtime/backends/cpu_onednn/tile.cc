// SPDX-License-Identifier: Apache-2.0
// tile and repeat as one strided gather each: output axis i of tile is viewed as the pair
// (repetition, input index) with stride 0 for the repetition; repeat puts the zero-stride
// repetition axis right after the repeated one.
#include "ops/tile.h"

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> Gather(const KernelArgs& a, const std::vector<int64_t>& dims,
                               const std::vector<int64_t>& strides) {
  StridedGather g(dims, strides, 0, static_cast<int64_t>(DTypeSize(a.in[0].dtype)));
  return std::make_unique<StridedGatherKernel>(std::vector<StridedGather>{g});
}

std::unique_ptr<Kernel> CreateTile(const KernelArgs& a) {
  const auto& p = a.param<TileParam>();
  const Shape& in = a.in[0].shape;
  const int nd = a.out[0].shape.ndim();
  std::vector<int64_t> in_dims(nd, 1);
  for (int i = 0; i < in.ndim(); ++i) in_dims[i + nd - in.ndim()] = in[i];
  const std::vector<int64_t> in_strides = RowMajorStrides(in_dims);
  std::vector<int64_t> dims, strides;
  for (int i = 0; i < nd; ++i) {
    const int ir = i - (nd - static_cast<int>(p.reps.size()));
    dims.push_back(p.reps.empty() || ir < 0 ? 1 : p.reps[ir]);
    strides.push_back(0);
    dims.push_back(in_dims[i]);
    strides.push_back(in_strides[i]);
  }
  return Gather(a, dims, strides);
}

std::unique_ptr<Kernel> CreateRepeat(const KernelArgs& a) {
  const auto& p = a.param<RepeatParam>();
  const Shape& in = a.in[0].shape;
  std::vector<int64_t> dims, strides;
  if (p.repeats > 0 && p.axis) {
    const int ax = NormalizeAxis(*p.axis, in.ndim());
    const std::vector<int64_t> in_strides = RowMajorStrides(in.dims());
    for (int i = 0; i < in.ndim(); ++i) {
      dims.push_back(in[i]);
      strides.push_back(in_strides[i]);
      if (i == ax) {
        dims.push_back(p.repeats);
        strides.push_back(0);
      }
    }
  } else {
    dims = {p.repeats == 0 ? 0 : in.Size(), p.repeats};
    strides = {1, 0};
  }
  return Gather(a, dims, strides);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, tile) {
  r.Add("tile", cpu::CreateTile);
  r.Add("repeat", cpu::CreateRepeat);
}

}  // namespace mxserve
