// SPDX-License-Identifier: Apache-2.0
// Row reductions with one block per row (LayerNorm, InstanceNorm, GroupNorm, L2Normalization,
// softmax over contiguous rows): the grid and block sizes for a number of rows, a float sum and
// maximum over the threads of a block, the mean and standard deviation of a row, and the dispatch
// over the data and gamma dtypes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "backends/cuda/device_math.cuh"

namespace mxserve {
namespace cuda {

/// Blocks for a loop over `rows` rows, one block per row at a time.
inline unsigned RowGridFor(int64_t rows) {
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(rows, 65536)));
}

/// Rows handled by this block: row = blockIdx.x, blockIdx.x + gridDim.x, ... below n.
#define MXS_BLOCK_ROWS(row, n) \
  for (int64_t row = blockIdx.x; row < (n); row += gridDim.x)

/// The sum of `v` over all threads of the block, returned to every thread. Every thread of the
/// block must call it; blockDim.x is a multiple of 32 and at most 1024; `shared` holds 32 floats.
__device__ __forceinline__ float BlockSum(float v, float* shared) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  __syncthreads();  // the previous call's readers are done with `shared`
  if ((threadIdx.x & 31) == 0) shared[threadIdx.x >> 5] = v;
  __syncthreads();
  float total = 0.f;
  const int warps = static_cast<int>(blockDim.x >> 5);
  for (int w = 0; w < warps; ++w) total += shared[w];
  return total;
}

/// The largest `v` over all threads of the block (fmaxf: NaN only where every value is NaN),
/// returned to every thread; called as BlockSum.
__device__ __forceinline__ float BlockMax(float v, float* shared) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  __syncthreads();
  if ((threadIdx.x & 31) == 0) shared[threadIdx.x >> 5] = v;
  __syncthreads();
  float m = shared[0];
  const int warps = static_cast<int>(blockDim.x >> 5);
  for (int w = 1; w < warps; ++w) m = fmaxf(m, shared[w]);
  return m;
}

/// Threads per block for rows of n elements: n rounded up to a warp, at most `most`.
inline unsigned RowThreadsFor(int64_t n, unsigned most = 256) {
  const int64_t t = (n + 31) / 32 * 32;
  return static_cast<unsigned>(std::max<int64_t>(32, std::min<int64_t>(t, most)));
}

template <typename T, typename Fn>
void DispatchGamma(DType gamma, Fn&& fn) {
  MXS_FLOAT_DISPATCH(gamma, G, fn(static_cast<T*>(nullptr), static_cast<G*>(nullptr)));
}

/// Calls fn(T*, G*) with null pointers whose types are the element types of the float data dtype
/// `data` (T) and of the gamma and beta dtype `gamma` (G), as the normalisation kernels take them.
template <typename Fn>
void DispatchDataAndGamma(DType data, DType gamma, Fn&& fn) {
  MXS_FLOAT_DISPATCH(data, T, DispatchGamma<T>(gamma, fn));
}

/// The element type a DispatchDataAndGamma argument points to.
template <typename P>
using Pointee = std::remove_pointer_t<P>;

/// Mean and sqrt(variance + eps) of one row.
struct Moments {
  float mean, std;
};

/// The moments of the n elements x[base + k * stride], summed in float in two passes (the mean,
/// then the squared deviations). Every thread of the block must call it; `shared` as BlockSum.
template <typename T>
__device__ __forceinline__ Moments BlockMoments(const T* x, int64_t base, int64_t n,
                                                int64_t stride, float eps, float* shared) {
  float sum = 0.f;
  for (int64_t k = threadIdx.x; k < n; k += blockDim.x) sum += Load(x, base + k * stride);
  Moments m;
  m.mean = BlockSum(sum, shared) / static_cast<float>(n);
  float sq = 0.f;
  for (int64_t k = threadIdx.x; k < n; k += blockDim.x) {
    const float d = Load(x, base + k * stride) - m.mean;
    sq += d * d;
  }
  m.std = sqrtf(BlockSum(sq, shared) / static_cast<float>(n) + eps);
  return m;
}

}  // namespace cuda
}  // namespace mxserve
