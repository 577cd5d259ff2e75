// SPDX-License-Identifier: Apache-2.0
// ROIPooling (_npx_roi_pooling): max pooling over quantized regions of a feature map (MXNet
// src/operator/roi_pooling.cc).
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct RoiPoolingParam {
  int64_t pooled_h = 0;       ///< output height per region
  int64_t pooled_w = 0;       ///< output width per region
  float spatial_scale = 1.f;  ///< feature map size over image size

  static RoiPoolingParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
