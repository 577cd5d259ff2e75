// SPDX-License-Identifier: Apache-2.0
// tile and repeat as one strided gather each of the views TileParam::View and
// RepeatParam::View describe (zero strides for the repetitions). _npi_repeats (per-element
// counts) copies rows by an index table.
#include "ops/tile.h"

#include <cstring>
#include <utility>

#include "backends/backend.h"
#include "backends/cpu_onednn/strided_gather.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

std::unique_ptr<Kernel> CreateTile(const KernelArgs& a) {
  return MakeStridedGather(a, {a.param<TileParam>().View(a.in[0].shape)});
}

std::unique_ptr<Kernel> CreateRepeat(const KernelArgs& a) {
  return MakeStridedGather(a, {a.param<RepeatParam>().View(a.in[0].shape)});
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
