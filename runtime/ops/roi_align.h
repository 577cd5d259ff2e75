// SPDX-License-Identifier: Apache-2.0
// _contrib_ROIAlign: bilinear sampling of regions of a feature map (MXNet
// src/operator/contrib/roi_align.cc), optionally position-sensitive and center-aligned.
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct RoiAlignParam {
  int64_t pooled_h = 0;             ///< output height per region
  int64_t pooled_w = 0;             ///< output width per region
  float spatial_scale = 1.f;        ///< feature map size over image size
  int sample_ratio = -1;            ///< samples per bin and axis, <= 0 = ceil(region size / bins)
  bool position_sensitive = false;  ///< each output bin reads its own group of channels (R-FCN)
  bool aligned = false;             ///< shift coordinates by half a pixel (Detectron2)

  static RoiAlignParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
