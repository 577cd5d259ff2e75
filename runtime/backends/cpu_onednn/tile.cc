// SPDX-License-Identifier: Apache-2.0
// tile and repeat as one strided gather each: output axis i of tile is viewed as the pair
// (repetition, input index) with stride 0 for the repetition; repeat puts the zero-stride
// repetition axis right after the repeated one. _npi_repeats (per-element counts) copies rows
// by an index table.
#include "ops/tile.h"

#include <cstring>
#include <utility>

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

/// _npi_repeats: the input viewed as (outer, axis, inner); output row j of every outer block is
/// input row sources[j], one memcpy of `inner` bytes each.
class RepeatsKernel final : public Kernel {
 public:
  RepeatsKernel(std::vector<int64_t> sources, int64_t outer, int64_t axis_size, int64_t inner_bytes)
      : sources_(std::move(sources)),
        outer_(outer),
        axis_size_(axis_size),
        inner_bytes_(inner_bytes) {}
  void Run(const RunArgs& args) const override {
    const char* x = static_cast<const char*>(args.in[0]);
    char* y = static_cast<char*>(args.out[0]);
    const int64_t m = static_cast<int64_t>(sources_.size());
    const int64_t n = outer_ * m;
#pragma omp parallel for if (n * inner_bytes_ > (1 << 17))
    for (int64_t i = 0; i < n; ++i) {
      const int64_t o = i / m, j = i % m;
      std::memcpy(y + i * inner_bytes_, x + (o * axis_size_ + sources_[j]) * inner_bytes_,
                  static_cast<size_t>(inner_bytes_));
    }
  }
  std::string Describe() const override { return "ref:repeats"; }

 private:
  std::vector<int64_t> sources_;  ///< input index on the axis of each output index
  int64_t outer_;                 ///< product of the dims before the axis
  int64_t axis_size_;             ///< input length of the axis
  int64_t inner_bytes_;           ///< bytes of the dims after the axis
};

std::unique_ptr<Kernel> CreateRepeats(const KernelArgs& a) {
  const auto& p = a.param<RepeatsParam>();
  const Shape& in = a.in[0].shape;
  const int64_t elem = static_cast<int64_t>(DTypeSize(a.in[0].dtype));
  int64_t outer = 1, len = in.Size(), inner = elem;
  if (p.axis) {
    const int ax = NormalizeAxis(*p.axis, in.ndim());
    outer = ShapeProduct(in, 0, ax);
    len = in[ax];
    inner = ShapeProduct(in, ax + 1, in.ndim()) * elem;
  }
  std::vector<int64_t> sources =
      a.out[0].shape.Size() == 0 ? std::vector<int64_t>{} : p.Sources(len);
  return std::make_unique<RepeatsKernel>(std::move(sources), outer, len, inner);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, tile) {
  r.Add("tile", cpu::CreateTile).DTypes(dtypes::kAny);
  r.Add("repeat", cpu::CreateRepeat).DTypes(dtypes::kAny);
  r.Add("_npi_repeats", cpu::CreateRepeats).DTypes(dtypes::kAny);
}

}  // namespace mxserve
