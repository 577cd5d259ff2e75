// SPDX-License-Identifier: Apache-2.0
// Crop, the legacy 4-D spatial crop (MXNet src/operator/crop-inl.h CropParam): to h_w, or to
// the height and width of a second input (crop_like), at `offset` or centred.
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

struct CropParam {
  int num_args = 1;                   ///< 1: crop to h_w; 2: to the second input's H and W
  std::vector<int64_t> offset{0, 0};  ///< (y, x) of the window's corner
  std::vector<int64_t> h_w{0, 0};     ///< (height, width) when num_args is 1
  bool center_crop = false;           ///< centre the window instead of using offset

  static CropParam Parse(const AttrMap& attrs);
  /// The output shape for data `in` (and crop_like `like` when num_args is 2).
  Shape OutShape(const Shape& in, const Shape& like) const;
  /// (y, x) of the window's corner for data `in` and output `out`.
  std::vector<int64_t> Corner(const Shape& in, const Shape& out) const;
  /// Output `out` as a view of data `in`: the (H, W) window at Corner(in, out).
  StridedView View(const Shape& in, const Shape& out) const;
};

}  // namespace mxserve
