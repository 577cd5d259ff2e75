// SPDX-License-Identifier: Apache-2.0
// Faster R-CNN region proposals: _contrib_Proposal (one image) and _contrib_MultiProposal
// (a batch) of MXNet src/operator/contrib/{proposal,multi_proposal}*.
#pragma once

#include <vector>

#include "graph/graph.h"

namespace mxserve {

struct ProposalParam {
  int rpn_pre_nms_top_n = 6000;  ///< best boxes kept before NMS, <= 0 = all
  int rpn_post_nms_top_n = 300;  ///< rows of the output per image
  float threshold = 0.7f;        ///< NMS IoU threshold
  int rpn_min_size = 16;         ///< boxes smaller than this (times im_info scale) score -1
  std::vector<float> scales{4.f, 8.f, 16.f, 32.f};  ///< anchor scales
  std::vector<float> ratios{0.5f, 1.f, 2.f};        ///< anchor aspect ratios
  int feature_stride = 16;                          ///< image pixels per feature-map cell
  bool output_score = false;                        ///< also output the scores
  bool iou_loss = false;  ///< offsets are corner deltas instead of center/log-size

  static ProposalParam Parse(const AttrMap& attrs);
};

/// Base anchors of both kernels: for each ratio, for each scale, [x0, y0, x1, y1] around the
/// first feature-map cell, in MXNet's float32 operation order.
std::vector<float> ProposalBaseAnchors(const ProposalParam& p);

}  // namespace mxserve
