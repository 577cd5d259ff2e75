// SPDX-License-Identifier: Apache-2.0
// StridedView: the index map of a data-movement operator, written once for every backend. Output
// element i (row-major over `dims`) is input element offset + sum_k i_k * strides[k]; a stride of
// 0 repeats an element, a negative one walks backwards, a permuted order transposes. The ops/
// files compute one view per output (or per input, for stack) from the Param and the shapes;
// the kernels only simplify and copy.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace mxserve {

/// One side of a copy seen through element strides.
struct StridedView {
  std::vector<int64_t> dims;     ///< extents of the row-major index space of the copy
  std::vector<int64_t> strides;  ///< element stride per dim (any sign; 0 repeats)
  int64_t offset = 0;            ///< element reached by index 0

  /// Number of elements of the index space (1 when dims is empty).
  int64_t Size() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
};

/// Row-major element strides of `dims`.
inline std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/// The view of a row-major tensor of `dims` read as it lies.
inline StridedView RowMajorView(const std::vector<int64_t>& dims) {
  return StridedView{dims, RowMajorStrides(dims), 0};
}

/// Two views over the same index space (a copy from `src` to `dst`) with size-1 dims dropped and
/// neighbouring dims merged where both views step through them as one dim. An empty index space
/// becomes dims {0}; one element becomes dims {}. Offsets are kept.
inline std::pair<StridedView, StridedView> SimplifiedPair(const StridedView& src,
                                                          const StridedView& dst) {
  StridedView s{{}, {}, src.offset}, d{{}, {}, dst.offset};
  for (size_t i = 0; i < src.dims.size(); ++i) {
    const int64_t n = src.dims[i];
    if (n == 0) return {StridedView{{0}, {0}, src.offset}, StridedView{{0}, {0}, dst.offset}};
    if (n == 1) continue;
    if (!s.dims.empty() && s.strides.back() == src.strides[i] * n &&
        d.strides.back() == dst.strides[i] * n) {
      s.dims.back() *= n;
      d.dims.back() *= n;
      s.strides.back() = src.strides[i];
      d.strides.back() = dst.strides[i];
      continue;
    }
    s.dims.push_back(n);
    d.dims.push_back(n);
    s.strides.push_back(src.strides[i]);
    d.strides.push_back(dst.strides[i]);
  }
  return {s, d};
}

/// `v` read into a row-major output, simplified as SimplifiedPair does (the row-major side
/// merges wherever `v` does).
inline StridedView Simplified(const StridedView& v) {
  return SimplifiedPair(v, RowMajorView(v.dims)).first;
}

}  // namespace mxserve
