// SPDX-License-Identifier: Apache-2.0
// Strided copies on CUDA: y[dst view of i] = x[src view of i] for every row-major index i of a
// pair of StridedViews over one index space (ops/strided_view.h), simplified first, one thread
// per element, for elements of 1, 2, 4 or 8 bytes. The data-movement kernels (slice, tile,
// split, Crop, depth_to_space, reverse, broadcast_to, stack) are such copies: a gather reads a
// view of the input into a row-major output; a scatter writes a row-major input into a view of
// the output.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/kernel.h"
#include "ops/strided_view.h"

namespace mxserve {
namespace cuda {

/// The most dims a copy may have after simplification.
constexpr int kMaxCopyDims = 8;

/// One simplified copy, passed to the device by value.
struct StridedCopy {
  int ndim = 0;                       ///< dims in use; 0 copies one element
  int64_t dims[kMaxCopyDims];         ///< the row-major index space
  int64_t in_strides[kMaxCopyDims];   ///< input element stride per dim (any sign, 0 repeats)
  int64_t out_strides[kMaxCopyDims];  ///< output element stride per dim
  int64_t in_offset = 0;              ///< input element of index 0
  int64_t out_offset = 0;             ///< output element of index 0
  int64_t n = 0;                      ///< elements copied
};

/// The copy reading input `src` (of `in_size` elements) and writing output `dst` (of `out_size`
/// elements), both over src.dims, simplified. Throws kUnsupported, naming node a.node, when more
/// than kMaxCopyDims dims remain or a view reaches outside its tensor.
StridedCopy MakeStridedCopy(const KernelArgs& a, const StridedView& src, int64_t in_size,
                            const StridedView& dst, int64_t out_size);

/// Issues copy `c` of `elem`-byte elements (1, 2, 4 or 8) from `x` to `y` on stream `s`;
/// issues nothing when c.n is 0.
void LaunchStridedCopy(const StridedCopy& c, size_t elem, const void* x, void* y,
                       cudaStream_t s);

/// A kernel whose output k is input 0 read through views[k] (row-major over views[k].dims);
/// Describe() gives "cuda:<name>". Throws kUnsupported for elements other than 1, 2, 4 or 8
/// bytes, for outputs of another dtype than input 0, and where MakeStridedCopy does.
std::unique_ptr<Kernel> MakeGatherCuda(const KernelArgs& a, const std::vector<StridedView>& views,
                                       const std::string& name);

/// A kernel writing input k (row-major over slots[k].dims) into output 0 through slots[k];
/// Describe() gives "cuda:<name>". Refuses as MakeGatherCuda does.
std::unique_ptr<Kernel> MakeScatterCuda(const KernelArgs& a, const std::vector<StridedView>& slots,
                                        const std::string& name);

}  // namespace cuda
}  // namespace mxserve
