// SPDX-License-Identifier: Apache-2.0
// Box coding operators of MXNet src/operator/contrib/bounding_box-inl.h: _contrib_box_encode,
// _contrib_box_decode, _contrib_box_iou and _contrib_bipartite_matching (with their _npx_ names).
#pragma once

#include "graph/graph.h"
#include "ops/box_nms.h"

namespace mxserve {

/// box_encode has no attributes.
struct BoxEncodeParam {
  static BoxEncodeParam Parse(const AttrMap& attrs);
};

struct BoxDecodeParam {
  float std0 = 1.f;                       ///< scale of the x offset
  float std1 = 1.f;                       ///< scale of the y offset
  float std2 = 1.f;                       ///< scale of the log width
  float std3 = 1.f;                       ///< scale of the log height
  float clip = -1.f;                      ///< upper bound of the scaled log sizes when > 0
  BoxFormat format = BoxFormat::kCenter;  ///< encoding of the anchors

  static BoxDecodeParam Parse(const AttrMap& attrs);
};

struct BoxIouParam {
  BoxFormat format = BoxFormat::kCorner;  ///< encoding of both inputs

  static BoxIouParam Parse(const AttrMap& attrs);
};

struct BipartiteMatchingParam {
  bool is_ascend = false;  ///< match low scores first (threshold is then an upper bound)
  float threshold = 0.f;   ///< scores must be above it (below it with is_ascend); required
  int topk = -1;           ///< stop after more than topk matches, -1 = no limit

  static BipartiteMatchingParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
