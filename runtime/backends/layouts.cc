// SPDX-License-Identifier: Apache-2.0
// Layout strides, splits and conversions.
#include "backends/layouts.h"

#include <cstring>

namespace mxserve {
namespace {

bool IsChannelsLast(const Shape& shape, Layout layout) {
  return layout == Layout::kChannelsLast && shape.ndim() >= 3 && shape.ndim() <= 5;
}

}  // namespace

std::vector<int64_t> LayoutStrides(const Shape& shape, Layout layout) {
  const int nd = shape.ndim();
  std::vector<int64_t> strides = RowMajorStrides(shape.dims());
  if (!IsChannelsLast(shape, layout)) return strides;
  // Memory order N, spatial..., C: C steps by one element, the last spatial dim by C.
  strides[1] = 1;
  int64_t s = shape[1];
  for (int d = nd - 1; d >= 2; --d) {
    strides[d] = s;
    s *= shape[d];
  }
  strides[0] = s;
  return strides;
}

std::vector<int64_t> MemoryDims(const Shape& shape, Layout layout) {
  std::vector<int64_t> dims = shape.dims();
  if (!IsChannelsLast(shape, layout)) return dims;
  std::vector<int64_t> m = {dims[0]};
  m.insert(m.end(), dims.begin() + 2, dims.end());
  m.push_back(dims[1]);
  return m;
}

int MemoryAxis(int axis, int ndim, Layout layout) {
  if (layout != Layout::kChannelsLast || ndim < 3 || ndim > 5 || axis == 0) return axis;
  return axis == 1 ? ndim - 1 : axis - 1;
}

AxisSplit MemorySplit(const Shape& shape, int axis, Layout layout) {
  const std::vector<int64_t> dims = MemoryDims(shape, layout);
  const int m = MemoryAxis(axis, shape.ndim(), layout);
  AxisSplit s;
  for (int d = 0; d < m; ++d) s.outer *= dims[d];
  s.n = dims[m];
  for (size_t d = m + 1; d < dims.size(); ++d) s.inner *= dims[d];
  return s;
}

bool LayoutsCoincide(const Shape& shape) {
  return shape.ndim() < 3 || shape.ndim() > 5 || shape[1] == 1 ||
         ShapeProduct(shape, 2, shape.ndim()) == 1;
}

std::pair<StridedView, StridedView> LayoutConversion(const Shape& shape, Layout from, Layout to) {
  return {StridedView{shape.dims(), LayoutStrides(shape, from), 0},
          StridedView{shape.dims(), LayoutStrides(shape, to), 0}};
}

void ConvertLayout(const void* src, void* dst, const Shape& shape, size_t elem, Layout from,
                   Layout to) {
  const auto views = LayoutConversion(shape, from, to);
  const auto [s, d] = SimplifiedPair(views.first, views.second);
  const char* x = static_cast<const char*>(src);
  char* y = static_cast<char*>(dst);
  const int nd = static_cast<int>(s.dims.size());
  const int64_t n = s.Size();
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, so = s.offset, dof = d.offset;
    for (int k = nd - 1; k >= 0; --k) {
      const int64_t c = rest % s.dims[k];
      rest /= s.dims[k];
      so += c * s.strides[k];
      dof += c * d.strides[k];
    }
    std::memcpy(y + dof * elem, x + so * elem, elem);
  }
}

}  // namespace mxserve
