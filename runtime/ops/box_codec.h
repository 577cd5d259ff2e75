// SPDX-License-Identifier: Apache-2.0
// Box coding operators of MXNet src/operator/contrib/bounding_box-inl.h: _contrib_box_encode,
// _contrib_box_decode, _contrib_box_iou and _contrib_bipartite_matching (with their _npx_ names).
#pragma once

#include <cmath>

#include "base/host_device.h"
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

// The box coding formulas both kernels evaluate per box, in MXNet's mixed precision: a center
// "lo + size * 0.5" is evaluated in double and rounded to float once, as MXNet's kernels do with
// their double literal (the product by 0.5 is exact, so no fused multiply-add can change it).

/// Center of [lo, lo + size].
MXS_HOST_DEVICE inline float BoxCenter(float lo, float size) {
  return static_cast<float>(static_cast<double>(lo) + static_cast<double>(size) * 0.5);
}

/// The box_encode targets t[0..3] of the reference box r for the anchor a (both corner form).
MXS_HOST_DEVICE inline void EncodeBox(const float* r, const float* a, const float* means,
                                      const float* stds, float* t) {
  const float rw = r[2] - r[0], rh = r[3] - r[1];
  const float rx = BoxCenter(r[0], rw), ry = BoxCenter(r[1], rh);
  const float aw = a[2] - a[0], ah = a[3] - a[1];
  const float ax = BoxCenter(a[0], aw), ay = BoxCenter(a[1], ah);
  t[0] = ((rx - ax) / aw - means[0]) / stds[0];
  t[1] = ((ry - ay) / ah - means[1]) / stds[1];
  t[2] = (logf(rw / aw) - means[2]) / stds[2];
  t[3] = (logf(rh / ah) - means[3]) / stds[3];
}

/// The box_decode corners o[0..3] of the offsets d for the anchor a (corner form when `corner`,
/// else center form); P carries std0..std3 and clip as BoxDecodeParam does.
template <typename P>
MXS_HOST_DEVICE inline void DecodeBox(const P& p, bool corner, const float* d, const float* a,
                                      float* o) {
  float ax = a[0], ay = a[1], aw = a[2], ah = a[3];
  if (corner) {
    aw = aw - ax;
    ah = ah - ay;
    ax = BoxCenter(ax, aw);
    ay = BoxCenter(ay, ah);
  }
  const float ox = AddRn(MulRn(MulRn(d[0], p.std0), aw), ax);
  const float oy = AddRn(MulRn(MulRn(d[1], p.std1), ah), ay);
  float dw = MulRn(d[2], p.std2);
  float dh = MulRn(d[3], p.std3);
  if (p.clip > 0) {
    dw = dw < p.clip ? dw : p.clip;
    dh = dh < p.clip ? dh : p.clip;
  }
  dw = expf(dw);
  dh = expf(dh);
  // The float product, then its exact double half rounded back to float.
  const float ow = static_cast<float>(static_cast<double>(MulRn(dw, aw)) * 0.5);
  const float oh = static_cast<float>(static_cast<double>(MulRn(dh, ah)) * 0.5);
  o[0] = ox - ow;
  o[1] = oy - oh;
  o[2] = ox + ow;
  o[3] = oy + oh;
}

}  // namespace mxserve
