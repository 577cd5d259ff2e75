// SPDX-License-Identifier: Apache-2.0
// _contrib_ROIAlign: bilinear sampling of regions of a feature map (MXNet
// src/operator/contrib/roi_align.cc), optionally position-sensitive and center-aligned.
#pragma once

#include <cmath>
#include <cstdint>

#include "base/host_device.h"
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

/// The sampling grid of one region in feature-map coordinates.
struct RoiAlignGrid {
  float start_h = 0.f, start_w = 0.f;  ///< the region's top-left corner
  float bin_h = 0.f, bin_w = 0.f;      ///< the size of one output bin
  int grid_h = 1, grid_w = 1;          ///< samples per bin along each axis
};

/// The grid of region roi = [batch, x0, y0, x1, y1] as both kernels compute it, each product,
/// difference and quotient rounded on its own; without `aligned` a region is at least 1 x 1.
MXS_HOST_DEVICE inline RoiAlignGrid RoiAlignGridOf(const float* roi, float spatial_scale,
                                                   bool aligned, int pooled_h, int pooled_w,
                                                   int sample_ratio) {
  const float offset = aligned ? 0.5f : 0.f;
  RoiAlignGrid g;
  g.start_w = SubRn(MulRn(roi[1], spatial_scale), offset);
  g.start_h = SubRn(MulRn(roi[2], spatial_scale), offset);
  const float end_w = SubRn(MulRn(roi[3], spatial_scale), offset);
  const float end_h = SubRn(MulRn(roi[4], spatial_scale), offset);
  float roi_w = SubRn(end_w, g.start_w);
  float roi_h = SubRn(end_h, g.start_h);
  if (!aligned) {
    roi_w = roi_w < 1.f ? 1.f : roi_w;
    roi_h = roi_h < 1.f ? 1.f : roi_h;
  }
  g.bin_h = DivRn(roi_h, static_cast<float>(pooled_h));
  g.bin_w = DivRn(roi_w, static_cast<float>(pooled_w));
  g.grid_h = sample_ratio > 0 ? sample_ratio : static_cast<int>(ceilf(g.bin_h));
  g.grid_w = sample_ratio > 0 ? sample_ratio : static_cast<int>(ceilf(g.bin_w));
  return g;
}

/// The coordinate of sample i (of `grid` per bin) in bin `bin` along one axis of the grid.
MXS_HOST_DEVICE inline float RoiAlignSample(float start, int bin, float bin_size, int i,
                                            int grid) {
  return AddRn(AddRn(start, MulRn(static_cast<float>(bin), bin_size)),
               DivRn(MulRn(static_cast<float>(i) + .5f, bin_size), static_cast<float>(grid)));
}

/// The bilinear neighbours (offsets into a height x width plane) and weights of point (y, x),
/// as both ROIAlign kernels compute them; all weights zero (on offset 0) outside [-1, size].
/// Each product and difference is rounded on its own.
MXS_HOST_DEVICE inline void RoiAlignTaps(float y, float x, int height, int width, int64_t* pos,
                                         float* wt) {
  for (int k = 0; k < 4; ++k) {
    pos[k] = 0;
    wt[k] = 0.f;
  }
  if (y < -1.f || y > static_cast<float>(height) || x < -1.f || x > static_cast<float>(width)) {
    return;
  }
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  int y_low = static_cast<int>(y), x_low = static_cast<int>(x);
  int y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = static_cast<float>(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = static_cast<float>(x_low);
  } else {
    x_high = x_low + 1;
  }
  const float ly = SubRn(y, static_cast<float>(y_low));
  const float lx = SubRn(x, static_cast<float>(x_low));
  const float hy = SubRn(1.f, ly), hx = SubRn(1.f, lx);
  wt[0] = MulRn(hy, hx);
  wt[1] = MulRn(hy, lx);
  wt[2] = MulRn(ly, hx);
  wt[3] = MulRn(ly, lx);
  pos[0] = static_cast<int64_t>(y_low) * width + x_low;
  pos[1] = static_cast<int64_t>(y_low) * width + x_high;
  pos[2] = static_cast<int64_t>(y_high) * width + x_low;
  pos[3] = static_cast<int64_t>(y_high) * width + x_high;
}

/// The weighted sum of the four taps of RoiAlignTaps on plane d, added in tap order.
MXS_HOST_DEVICE inline float RoiAlignTapSum(const float* d, const int64_t* pos, const float* wt) {
  float s = MulRn(wt[0], d[pos[0]]);
  s = AddRn(s, MulRn(wt[1], d[pos[1]]));
  s = AddRn(s, MulRn(wt[2], d[pos[2]]));
  return AddRn(s, MulRn(wt[3], d[pos[3]]));
}

}  // namespace mxserve
