// SPDX-License-Identifier: Apache-2.0
// StridedView simplification: size-1 dims drop, neighbours that step as one merge (with any
// stride sign), empty and one-element views keep their meaning, and a pair merges only where
// both sides step as one; a permuted view reads what a transpose writes.
#include <cstdio>
#include <vector>

#include "ops/strided_view.h"
#include "ops/transpose.h"

using namespace mxserve;

static bool Same(const StridedView& v, const std::vector<int64_t>& dims,
                 const std::vector<int64_t>& strides, int64_t offset) {
  if (v.dims == dims && v.strides == strides && v.offset == offset) return true;
  std::fprintf(stderr, "unexpected view:");
  for (size_t k = 0; k < v.dims.size(); ++k)
    std::fprintf(stderr, " %lld/%lld", static_cast<long long>(v.dims[k]),
                 static_cast<long long>(v.strides[k]));
  std::fprintf(stderr, " offset %lld\n", static_cast<long long>(v.offset));
  return false;
}

static int test_row_major_merges_to_one_dim() {
  return Same(Simplified(RowMajorView({2, 1, 3, 4})), {24}, {1}, 0) ? 0 : 1;
}

static int test_window_keeps_its_row() {
  // Crop-like: rows 1..2, columns 1..3 of a (4, 5) tensor.
  StridedView v{{2, 3}, {5, 1}, 6};
  return Same(Simplified(v), {2, 3}, {5, 1}, 6) ? 0 : 1;
}

static int test_reversed_axes_merge_backwards() {
  // reverse of both axes of (3, 4): one backward walk from the last element.
  StridedView v{{3, 4}, {-4, -1}, 11};
  return Same(Simplified(v), {12}, {-1}, 11) ? 0 : 1;
}

static int test_repetition_stays_apart() {
  // tile (2,) of (3,): (repetition, index) = strides (0, 1), which do not merge.
  StridedView v{{1, 2, 1, 3}, {0, 0, 1, 1}, 0};
  return Same(Simplified(v), {2, 3}, {0, 1}, 0) ? 0 : 1;
}

static int test_empty_and_scalar() {
  if (!Same(Simplified(StridedView{{3, 0, 2}, {2, 2, 1}, 5}), {0}, {0}, 5)) return 1;
  return Same(Simplified(StridedView{{1, 1}, {7, 3}, 4}), {}, {}, 4) ? 0 : 1;
}

static int test_pair_merges_only_where_both_do() {
  // stack slot 1 of 3: input (2, 4) row-major into an output (2, 3, 4) viewed per slot.
  StridedView src = RowMajorView({2, 4});
  StridedView dst{{2, 4}, {12, 1}, 4};
  auto p = SimplifiedPair(src, dst);
  if (!Same(p.first, {2, 4}, {4, 1}, 0) || !Same(p.second, {2, 4}, {12, 1}, 4)) return 1;
  // With one slot both sides are contiguous and merge.
  auto q = SimplifiedPair(RowMajorView({2, 4}), StridedView{{2, 4}, {4, 1}, 0});
  return Same(q.first, {8}, {1}, 0) && Same(q.second, {8}, {1}, 0) ? 0 : 1;
}

static int test_permuted_view_is_a_transpose() {
  // (2, 3, 4) with output axis i = input axis perm[i]: element (a, b, c) of the output is
  // element (b, c, a) of the input, i.e. input[b][c][a] for perm (2, 0, 1).
  const std::vector<int> perm{2, 0, 1};
  const StridedView v = PermutedView(perm, Shape({2, 3, 4}));
  if (!Same(v, {4, 2, 3}, {1, 12, 4}, 0)) return 1;
  for (int64_t a = 0; a < 4; ++a)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t c = 0; c < 3; ++c) {
        const int64_t read = v.offset + a * v.strides[0] + b * v.strides[1] + c * v.strides[2];
        if (read != (b * 3 + c) * 4 + a) {
          std::fprintf(stderr, "output (%lld, %lld, %lld) reads %lld\n", static_cast<long long>(a),
                       static_cast<long long>(b), static_cast<long long>(c),
                       static_cast<long long>(read));
          return 1;
        }
      }
  return 0;
}

int main() {
  return test_row_major_merges_to_one_dim() || test_window_keeps_its_row() ||
         test_reversed_axes_merge_backwards() || test_repetition_stays_apart() ||
         test_empty_and_scalar() || test_pair_merges_only_where_both_do() ||
         test_permuted_view_is_a_transpose();
}
