// SPDX-License-Identifier: Apache-2.0
// tile and repeat on CUDA: the op's view of the input (TileParam::View, RepeatParam::View, with
// zero strides for the repetitions) copied by one strided-copy launch for any dtype of 1, 2, 4
// or 8 bytes. _npi_repeats, whose per-element counts need an index table on the device, has no
// CUDA kernel and runs on the host.
#include "ops/tile.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/strided_copy.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateTile(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<TileParam>().View(a.in[0].shape)}, "tile");
}

std::unique_ptr<Kernel> CreateRepeat(const KernelArgs& a) {
  return MakeGatherCuda(a, {a.param<RepeatParam>().View(a.in[0].shape)}, "repeat");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, tile) {
  r.Add("tile", cuda::Adapted(cuda::CreateTile), Backend::kRowMajorOnly, cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("repeat", cuda::Adapted(cuda::CreateRepeat), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
