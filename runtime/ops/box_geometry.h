// SPDX-License-Identifier: Apache-2.0
// Box arithmetic of MXNet's bounding_box-common.h shared by the box operators' CPU and CUDA
// kernels (box_nms, box_iou, bipartite_matching, MultiBoxDetection, Proposal), in float32 with
// MXNet's operation order so that IoU ties and thresholds fall the same way on both.
#pragma once

#include <cstdint>

#include "base/host_device.h"
#include "ops/box_nms.h"

namespace mxserve {

/// Overlap of two boxes along one axis: a and b point at the axis' first value, the second one
/// is two elements further ((x0, x1) in corner form, (x, width) in center form).
MXS_HOST_DEVICE inline float BoxIntersect1D(const float* a, const float* b, BoxFormat f) {
  float w;
  if (f == BoxFormat::kCorner) {
    const float left = a[0] > b[0] ? a[0] : b[0];
    const float right = a[2] < b[2] ? a[2] : b[2];
    w = right - left;
  } else {
    const float aw = a[2] / 2, bw = b[2] / 2;
    const float al = a[0] - aw, ar = a[0] + aw;
    const float bl = b[0] - bw, br = b[0] + bw;
    const float left = bl > al ? bl : al;
    const float right = br < ar ? br : ar;
    w = right - left;
  }
  return w > 0 ? w : 0.f;
}

/// Intersection area of two boxes.
MXS_HOST_DEVICE inline float BoxIntersect(const float* a, const float* b, BoxFormat f) {
  return MulRn(BoxIntersect1D(a, b, f), BoxIntersect1D(a + 1, b + 1, f));
}

/// Area of a box; 0 when its width or height is negative.
MXS_HOST_DEVICE inline float BoxArea(const float* box, BoxFormat f) {
  const float w = f == BoxFormat::kCorner ? box[2] - box[0] : box[2];
  const float h = f == BoxFormat::kCorner ? box[3] - box[1] : box[3];
  return (w < 0 || h < 0) ? 0.f : MulRn(w, h);
}

/// Intersection over union of two boxes; 0 when they do not overlap.
MXS_HOST_DEVICE inline float BoxIou(const float* a, const float* b, BoxFormat f) {
  const float inter = BoxIntersect(a, b, f);
  return inter <= 0 ? 0.f : inter / (BoxArea(a, f) + BoxArea(b, f) - inter);
}

/// Re-encodes one box in place into `out_format` from the other format; like MXNet, a box whose
/// first value is negative is left as it is.
MXS_HOST_DEVICE inline void ConvertBoxFormat(float* d, BoxFormat out_format) {
  if (d[0] < 0) return;
  if (out_format == BoxFormat::kCenter) {
    const float l = d[0], t = d[1], r = d[2], b = d[3];
    d[0] = (l + r) / 2;
    d[1] = (t + b) / 2;
    d[2] = r - l;
    d[3] = b - t;
  } else {
    const float x = d[0], y = d[1], hw = d[2] / 2, hh = d[3] / 2;
    d[0] = x - hw;
    d[1] = y - hh;
    d[2] = x + hw;
    d[3] = y + hh;
  }
}

/// Sort order of MXNet's std::stable_sort by descending score over indices in input order: a
/// before b when its score is larger, equal scores by index. NaN scores go last (MXNet leaves
/// their place unspecified), which keeps the comparison a strict weak order (a total order).
MXS_HOST_DEVICE inline bool ScoreDescending(float sa, float sb, int64_t a, int64_t b) {
  const bool na = sa != sa, nb = sb != sb;
  if (na != nb) return nb;
  if (!na && sa != sb) return sa > sb;
  return a < b;
}

/// The ascending counterpart of ScoreDescending (NaN scores last as well).
MXS_HOST_DEVICE inline bool ScoreAscending(float sa, float sb, int64_t a, int64_t b) {
  const bool na = sa != sa, nb = sb != sb;
  if (na != nb) return nb;
  if (!na && sa != sb) return sa < sb;
  return a < b;
}

}  // namespace mxserve
