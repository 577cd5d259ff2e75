// SPDX-License-Identifier: Apache-2.0
// Sequential sorts of one index array by a comparison, run by one thread (host or device), that
// leave equal keys in exactly the order the CPU kernels' std::sort and std::partial_sort from
// libstdc++ leave them (the CPU ordering kernels are not stable, and MXNet's results depend on
// that order). IntroSort is an introspective quicksort: median-of-three pivot moved to the front,
// an unguarded two-sided partition, heapsort below a depth of 2 * floor(log2(n)), segments of at
// most 16 elements left for a final insertion pass. PartialSort keeps a max-heap of the first k
// elements, replaces its top by every later element that comes before it, then pops the heap
// into sorted order. Only the comparison decides every move, so NaN keys land where the CPU
// puts them as well.
#pragma once

#include <cstdint>

namespace mxserve {
namespace cuda {

/// Segments at most this long are left to the final insertion pass.
constexpr int64_t kSortRun = 16;
/// Pending segments IntroSort keeps by default: at most one per level of its depth budget
/// 2 * floor(log2(n)), 62 for the 2^31 elements an int32 index array can hold. Callers with
/// shorter rows pass a smaller bound (every entry is 20 bytes of the thread's stack).
constexpr int kSortStack = 62;

/// The stack bound for rows of at most 2^log2_n elements.
constexpr int SortStackFor(int log2_n) { return 2 * log2_n; }

/// Moves `value` into the heap v[0, len) at `hole` after sifting the hole down to a leaf along
/// the larger children, then back up while its parent comes before `value`.
template <typename Before>
__host__ __device__ inline void HeapPlace(int32_t* v, int64_t hole, int64_t len, int32_t value,
                                          Before before) {
  const int64_t top = hole;
  int64_t child = hole;
  while (child < (len - 1) / 2) {
    child = 2 * (child + 1);
    if (before(v[child], v[child - 1])) --child;
    v[hole] = v[child];
    hole = child;
  }
  if ((len & 1) == 0 && child == (len - 2) / 2) {
    child = 2 * (child + 1);
    v[hole] = v[child - 1];
    hole = child - 1;
  }
  int64_t parent = (hole - 1) / 2;
  while (hole > top && before(v[parent], value)) {
    v[hole] = v[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  v[hole] = value;
}

/// Builds a max-heap (by `before`) of v[0, len), parents from the last one down to the root.
template <typename Before>
__host__ __device__ inline void HeapBuild(int32_t* v, int64_t len, Before before) {
  if (len < 2) return;
  for (int64_t parent = (len - 2) / 2;; --parent) {
    HeapPlace(v, parent, len, v[parent], before);
    if (parent == 0) return;
  }
}

/// Sorts the heap v[0, len): the top goes to the end of the shrinking heap, one at a time.
template <typename Before>
__host__ __device__ inline void HeapDrain(int32_t* v, int64_t len, Before before) {
  while (len > 1) {
    --len;
    const int32_t value = v[len];
    v[len] = v[0];
    HeapPlace(v, 0, len, value, before);
  }
}

/// Orders the first k of v[0, n) by `before`, the rest left in heap-select order.
template <typename Before>
__host__ __device__ inline void PartialSort(int32_t* v, int64_t k, int64_t n, Before before) {
  HeapBuild(v, k, before);
  for (int64_t i = k; i < n; ++i) {
    if (before(v[i], v[0])) {
      const int32_t value = v[i];
      v[i] = v[0];
      HeapPlace(v, 0, k, value, before);
    }
  }
  HeapDrain(v, k, before);
}

/// Moves v[i] down to its place among v[.. i), the smaller neighbours known to stop it.
template <typename Before>
__host__ __device__ inline void InsertUnguarded(int32_t* v, int64_t i, Before before) {
  const int32_t value = v[i];
  while (before(value, v[i - 1])) {
    v[i] = v[i - 1];
    --i;
  }
  v[i] = value;
}

/// Insertion sort of v[0, n): an element before v[0] shifts the whole prefix right.
template <typename Before>
__host__ __device__ inline void InsertionSort(int32_t* v, int64_t n, Before before) {
  for (int64_t i = 1; i < n; ++i) {
    if (before(v[i], v[0])) {
      const int32_t value = v[i];
      for (int64_t j = i; j > 0; --j) v[j] = v[j - 1];
      v[0] = value;
    } else {
      InsertUnguarded(v, i, before);
    }
  }
}

/// Swaps v[a] and v[b].
__host__ __device__ inline void SwapAt(int32_t* v, int64_t a, int64_t b) {
  const int32_t t = v[a];
  v[a] = v[b];
  v[b] = t;
}

/// Partitions v[lo, hi) with the pivot moved to v[lo] (the median of v[lo + 1], the middle and
/// v[hi - 1]); returns the first index of the right part.
template <typename Before>
__host__ __device__ inline int64_t PartitionAtPivot(int32_t* v, int64_t lo, int64_t hi,
                                                    Before before) {
  const int64_t a = lo + 1, b = lo + (hi - lo) / 2, c = hi - 1;
  int64_t median;
  if (before(v[a], v[b])) {
    median = before(v[b], v[c]) ? b : before(v[a], v[c]) ? c : a;
  } else {
    median = before(v[a], v[c]) ? a : before(v[b], v[c]) ? c : b;
  }
  SwapAt(v, lo, median);
  int64_t left = lo + 1, right = hi;
  while (true) {
    while (before(v[left], v[lo])) ++left;
    --right;
    while (before(v[lo], v[right])) --right;
    if (!(left < right)) return left;
    SwapAt(v, left, right);
    ++left;
  }
}

/// Sorts v[0, n) by `before`; n must be below 2^(kStack / 2 + 1).
template <int kStack = kSortStack, typename Before>
__host__ __device__ inline void IntroSort(int32_t* v, int64_t n, Before before) {
  if (n < 2) return;
  int depth = 0;
  for (int64_t m = n; m > 1; m >>= 1) ++depth;
  // Segments still to partition, with the depth budget each has left. Disjoint segments are
  // independent, so the order they are taken in does not change the result.
  int64_t seg_lo[kStack], seg_hi[kStack];
  int seg_depth[kStack];
  int pending = 0;
  int64_t lo = 0, hi = n;
  int budget = 2 * depth;
  while (true) {
    if (hi - lo > kSortRun) {
      if (budget == 0) {
        HeapBuild(v + lo, hi - lo, before);
        HeapDrain(v + lo, hi - lo, before);
      } else {
        --budget;
        const int64_t cut = PartitionAtPivot(v, lo, hi, before);
        seg_lo[pending] = cut;
        seg_hi[pending] = hi;
        seg_depth[pending++] = budget;
        hi = cut;
        continue;
      }
    }
    if (pending == 0) break;
    --pending;
    lo = seg_lo[pending];
    hi = seg_hi[pending];
    budget = seg_depth[pending];
  }
  if (n > kSortRun) {
    InsertionSort(v, kSortRun, before);
    for (int64_t i = kSortRun; i < n; ++i) InsertUnguarded(v, i, before);
  } else {
    InsertionSort(v, n, before);
  }
}

}  // namespace cuda
}  // namespace mxserve
