// SPDX-License-Identifier: Apache-2.0
// Box overlap arithmetic on the device for box_nms and box_iou, in the CPU kernels' float32
// operation order (cpu_onednn/box_geometry.h). Products are rounded on their own (__fmul_rn) so
// that no fused multiply-add moves an IoU across a threshold; the score orders of box_nms and
// bipartite_matching are the CPU's total orders.
#pragma once

#include <cstdint>

#include "ops/box_nms.h"

namespace mxserve {
namespace cuda {

/// Overlap along one axis; a and b point at the axis' first value, the second is two further
/// ((x0, x1) in corner form, (x, width) in center form).
__device__ __forceinline__ float BoxIntersect1D(const float* a, const float* b, BoxFormat f) {
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
__device__ __forceinline__ float BoxIntersect(const float* a, const float* b, BoxFormat f) {
  return __fmul_rn(BoxIntersect1D(a, b, f), BoxIntersect1D(a + 1, b + 1, f));
}

/// Area of a box; 0 when its width or height is negative.
__device__ __forceinline__ float BoxArea(const float* box, BoxFormat f) {
  const float w = f == BoxFormat::kCorner ? box[2] - box[0] : box[2];
  const float h = f == BoxFormat::kCorner ? box[3] - box[1] : box[3];
  return (w < 0 || h < 0) ? 0.f : __fmul_rn(w, h);
}

/// a before b: larger score first, equal scores by index, NaN scores last.
__host__ __device__ __forceinline__ bool ScoreDescending(float sa, float sb, int64_t a,
                                                         int64_t b) {
  const bool na = sa != sa, nb = sb != sb;
  if (na != nb) return nb;
  if (!na && sa != sb) return sa > sb;
  return a < b;
}

/// a before b: smaller score first, equal scores by index, NaN scores last.
__host__ __device__ __forceinline__ bool ScoreAscending(float sa, float sb, int64_t a,
                                                        int64_t b) {
  const bool na = sa != sa, nb = sb != sb;
  if (na != nb) return nb;
  if (!na && sa != sb) return sa < sb;
  return a < b;
}

}  // namespace cuda
}  // namespace mxserve
