// SPDX-License-Identifier: Apache-2.0
// _contrib_BilinearResize2D (MXNet src/operator/contrib/bilinear_resize-inl.h
// BilinearSampleParam).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "graph/graph.h"

namespace mxserve {

struct BilinearResizeParam {
  int64_t height = 1;                 ///< output height in mode size without scale_height
  int64_t width = 1;                  ///< output width in mode size without scale_height
  std::optional<float> scale_height;  ///< height factor (modes size and odd_scale)
  std::optional<float> scale_width;   ///< width factor (modes size and odd_scale)
  std::string mode = "size";  ///< size, odd_scale, like, to_even_down/up, to_odd_down/up
  bool align_corners = true;  ///< corner pixels' centres map onto each other

  int num_inputs() const { return mode == "like" ? 2 : 1; }

  static BilinearResizeParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
