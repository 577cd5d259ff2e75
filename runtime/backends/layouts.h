// SPDX-License-Identifier: Apache-2.0
// Where each element of a logically channels-first tensor (N, C, spatial...) lies in either
// physical layout (row-major or channels-last), the (outer, n, inner) split of an axis in memory
// order, and the copy between the layouts, as plain host arithmetic. The CUDA kernels plan their
// layout conversions and cuDNN's NHWC filter order with it (a convolution weight (K, C / groups,
// spatial...) in that order is the weight's own channels-last layout); the host fallback converts
// channels-last device tensors for a row-major CPU kernel (tests/cpp/test_layouts.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "backends/kernel.h"
#include "base/shape.h"
#include "ops/strided_view.h"

namespace mxserve {

/// Element strides of the logical dims of `shape` stored in `layout`: row-major, or
/// (N, spatial..., C) for channels-last (3-D to 5-D shapes; others are row-major either way).
std::vector<int64_t> LayoutStrides(const Shape& shape, Layout layout);

/// The dims of `shape` in memory order, (N, spatial..., C) for channels-last.
std::vector<int64_t> MemoryDims(const Shape& shape, Layout layout);

/// The position in MemoryDims of logical axis `axis` (0 <= axis < ndim).
int MemoryAxis(int axis, int ndim, Layout layout);

/// A tensor seen as (outer, n, inner) around one axis in memory order: element (o, k, i) at
/// (o * n + k) * inner + i, k the index along the axis.
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};

/// The split of `shape` stored in `layout` around logical axis `axis`.
AxisSplit MemorySplit(const Shape& shape, int axis, Layout layout);

/// True when both layouts of `shape` hold the same bytes: outside 3-D to 5-D, one channel, or
/// a unit spatial extent.
bool LayoutsCoincide(const Shape& shape);

/// The copy that rewrites a tensor of `shape` stored in `from` into `to`: a source and a
/// destination view over the logical index space (for a strided copy kernel).
std::pair<StridedView, StridedView> LayoutConversion(const Shape& shape, Layout from, Layout to);

/// Copies a tensor of `shape` with elements of `elem` bytes from `src`, stored in `from`, to
/// `dst`, stored in `to` (host memory; src and dst must not overlap).
void ConvertLayout(const void* src, void* dst, const Shape& shape, size_t elem, Layout from,
                   Layout to);

}  // namespace mxserve
