// SPDX-License-Identifier: Apache-2.0
// tile and repeat on CUDA: the op's view of the input (TileParam::View, RepeatParam::View, with
// zero strides for the repetitions) copied by one strided-copy launch for any dtype of 1, 2, 4
// or 8 bytes. _npi_repeats views the input as (outer, axis, inner): the input index on the axis
// of every output index (RepeatsParam::Sources) is a table built at bind and uploaded once
// through the weight cache, and one thread per output element copies its element.
#include "ops/tile.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateTile(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<TileParam>().View(a.in[0].shape)}, "tile");
}

std::unique_ptr<Kernel> CreateRepeat(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<RepeatParam>().View(a.in[0].shape)}, "repeat");
}

/// Output element i, in row `row = i / inner` of the (outer, m, inner) output, copies element
/// i % inner of input row (row / m) * axis_size + sources[row % m].
template <typename E>
__global__ void RepeatsKernel(const E* x, E* y, const int64_t* sources, int64_t m,
                              int64_t axis_size, int64_t inner, int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    const int64_t row = i / inner, k = i % inner;
    const int64_t o = row / m, j = row % m;
    y[i] = x[(o * axis_size + sources[j]) * inner + k];
  }
}

class RepeatsCuda final : public Kernel {
 public:
  RepeatsCuda(DeviceMemory sources, size_t elem, int64_t m, int64_t axis_size, int64_t inner,
              int64_t n)
      : sources_(std::move(sources)),
        elem_(elem),
        m_(m),
        axis_size_(axis_size),
        inner_(inner),
        n_(n) {}
  void Run(const RunArgs& args) const override {
    if (n_ == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const int64_t* src = sources_.as<const int64_t>();
    switch (elem_) {
      case 1: Launch<uint8_t>(args, src, s); break;
      case 2: Launch<uint16_t>(args, src, s); break;
      case 4: Launch<uint32_t>(args, src, s); break;
      default: Launch<uint64_t>(args, src, s); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:repeats"; }

 private:
  template <typename E>
  void Launch(const RunArgs& args, const int64_t* src, cudaStream_t s) const {
    RepeatsKernel<E><<<GridFor(n_), kThreads, 0, s>>>(static_cast<const E*>(args.in[0]),
                                                     static_cast<E*>(args.out[0]), src, m_,
                                                     axis_size_, inner_, n_);
  }

  DeviceMemory sources_;  ///< int64 input index on the axis of each output index
  size_t elem_;           ///< bytes per element: 1, 2, 4 or 8
  int64_t m_;             ///< output length of the axis
  int64_t axis_size_;     ///< input length of the axis
  int64_t inner_;         ///< elements of the dims after the axis
  int64_t n_;             ///< output elements
};

std::unique_ptr<Kernel> CreateRepeats(const KernelArgs& a) {
  const auto& p = a.param<RepeatsParam>();
  const Shape& in = a.in[0].shape;
  const size_t elem = DTypeSize(a.in[0].dtype);
  MXS_CHECK_CODE(elem == 1 || elem == 2 || elem == 4 || elem == 8, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": elements of " << elem
      << " bytes have no CUDA copy";
  MXS_CHECK_CODE(a.out[0].dtype == a.in[0].dtype, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the output dtype differs from the input's";
  int64_t outer = 1, len = in.Size(), inner = 1;
  if (p.axis) {
    const int ax = NormalizeAxis(*p.axis, in.ndim());
    outer = ShapeProduct(in, 0, ax);
    len = in[ax];
    inner = ShapeProduct(in, ax + 1, in.ndim());
  }
  const int64_t n = a.out[0].shape.Size();
  if (n == 0) return std::make_unique<RepeatsCuda>(DeviceMemory(), elem, 1, len, 1, 0);
  const std::vector<int64_t> sources = p.Sources(len);
  const int64_t m = static_cast<int64_t>(sources.size());
  MXS_CHECK_CODE(m > 0 && inner > 0 && outer * m * inner == n, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << outer << " x " << m << " x " << inner
      << " source elements for an output of " << n;
  const int device = CurrentDevice();
  std::string key = "cuda:" + std::to_string(device) + " repeats sources " +
                    std::to_string(len) + ":";
  for (int64_t r : p.repeats) key += std::to_string(r) + ",";
  DeviceMemory table = CachedOnDevice(a, key, [&] {
    return CopyToDevice(sources.data(), sources.size() * sizeof(int64_t), device);
  });
  return std::make_unique<RepeatsCuda>(std::move(table), elem, m, len, inner, n);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, tile) {
  r.Add("tile", cuda::Adapted(cuda::CreateTile), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("repeat", cuda::Adapted(cuda::CreateRepeat), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_npi_repeats", cuda::Adapted(cuda::CreateRepeats), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
