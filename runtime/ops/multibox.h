// SPDX-License-Identifier: Apache-2.0
// SSD's _contrib_MultiBoxPrior (_npx_multibox_prior) and _contrib_MultiBoxDetection
// (_npx_multibox_detection) of MXNet src/operator/contrib/multibox_{prior,detection}*.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace mxserve {

struct MultiBoxPriorParam {
  std::vector<float> sizes{1.f};           ///< box sizes relative to the input
  std::vector<float> ratios{1.f};          ///< aspect ratios
  bool clip = false;                       ///< clip the boxes to [0, 1]
  std::vector<float> steps{-1.f, -1.f};    ///< (step_y, step_x); <= 0 = 1 / feature size
  std::vector<float> offsets{0.5f, 0.5f};  ///< (y, x) center offsets within a cell

  static MultiBoxPriorParam Parse(const AttrMap& attrs);
};

/// The anchors of MultiBoxPrior for an in_height x in_width feature map, both kernels' output:
/// per cell, per size then per further ratio, [x0, y0, x1, y1] in float32.
std::vector<float> MultiBoxPriorBoxes(const MultiBoxPriorParam& p, int in_height, int in_width);

struct MultiBoxDetectionParam {
  bool clip = true;             ///< clip decoded boxes to [0, 1]
  float threshold = 0.01f;      ///< class scores below it become background
  int background_id = 0;        ///< accepted for MXNet; class 0 is background
  float nms_threshold = 0.5f;   ///< IoU at or above which NMS suppresses
  bool force_suppress = false;  ///< suppress across classes
  std::vector<float> variances{0.1f, 0.1f, 0.2f, 0.2f};  ///< scales of the 4 offsets
  int nms_topk = -1;                                     ///< boxes NMS keeps, -1 = all

  static MultiBoxDetectionParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
