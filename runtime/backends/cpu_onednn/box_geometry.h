// SPDX-License-Identifier: Apache-2.0
// Box overlap arithmetic of MXNet's bounding_box-common.h (box_nms, box_iou), in float32 with
// the same operation order so that IoU ties and thresholds fall the same way.
#pragma once

#include <cmath>
#include <cstdint>

#include "ops/box_nms.h"

namespace mxserve {
namespace cpu {

/// Overlap of two boxes along one axis: a and b point at the axis' first value, the second one
/// is two elements further ((x0, x1) in corner form, (x, width) in center form).
inline float BoxIntersect1D(const float* a, const float* b, BoxFormat f) {
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
inline float BoxIntersect(const float* a, const float* b, BoxFormat f) {
  float i = BoxIntersect1D(a, b, f);
  i *= BoxIntersect1D(a + 1, b + 1, f);
  return i;
}

/// Area of a box; 0 when its width or height is negative.
inline float BoxArea(const float* box, BoxFormat f) {
  const float w = f == BoxFormat::kCorner ? box[2] - box[0] : box[2];
  const float h = f == BoxFormat::kCorner ? box[3] - box[1] : box[3];
  return (w < 0 || h < 0) ? 0.f : w * h;
}

/// Sort order of MXNet's std::stable_sort by descending score over indices in input order: a
/// before b when its score is larger, equal scores by index. NaN scores go last (MXNet leaves
/// their place unspecified), which keeps the comparison a strict weak order for std::sort.
inline bool ScoreDescending(float sa, float sb, int32_t a, int32_t b) {
  const bool na = std::isnan(sa), nb = std::isnan(sb);
  if (na != nb) return nb;
  if (!na && sa != sb) return sa > sb;
  return a < b;
}

/// The ascending counterpart of ScoreDescending (NaN scores last as well).
inline bool ScoreAscending(float sa, float sb, int32_t a, int32_t b) {
  const bool na = std::isnan(sa), nb = std::isnan(sb);
  if (na != nb) return nb;
  if (!na && sa != sb) return sa < sb;
  return a < b;
}

}  // namespace cpu
}  // namespace mxserve
