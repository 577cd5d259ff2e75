// SPDX-License-Identifier: Apache-2.0
// _contrib_box_nms (alias _contrib_box_non_maximum_suppression, _npx_box_nms): greedy
// non-maximum suppression over rows of boxes (MXNet src/operator/contrib/bounding_box-inl.h).
#pragma once

#include "graph/attr_reader.h"
#include "graph/graph.h"

namespace mxserve {

/// Box encodings shared by the box operators.
enum class BoxFormat : int {
  kCorner = 0,  ///< [xmin, ymin, xmax, ymax]
  kCenter = 1,  ///< [x, y, width, height]
};

/// Reads a "corner" / "center" attribute.
BoxFormat ParseBoxFormat(AttrReader& r, const char* key, BoxFormat def);

struct BoxNmsParam {
  float overlap_thresh = 0.5f;  ///< IoU above which the lower-scored box is suppressed
  float valid_thresh = 0.f;     ///< boxes with score <= this are dropped before NMS
  int topk = -1;                ///< NMS looks at the topk best boxes per batch, -1 = all
  int coord_start = 2;          ///< index of the first of the 4 coordinates in a row
  int score_index = 1;          ///< index of the score in a row
  int id_index = -1;            ///< index of the class id in a row, -1 = no class
  int background_id = -1;       ///< class id dropped before NMS (when id_index >= 0)
  bool force_suppress = false;  ///< suppress across classes too
  BoxFormat in_format = BoxFormat::kCorner;   ///< encoding of the input boxes
  BoxFormat out_format = BoxFormat::kCorner;  ///< encoding of the output boxes

  static BoxNmsParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
