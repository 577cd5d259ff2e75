// SPDX-License-Identifier: Apache-2.0
// The geometry of the 2-D resampling kernels (adaptive pooling, bilinear resize): a logically
// NCHW tensor stored row-major or channels-last, resampled from (ih, iw) to (oh, ow), one thread
// per output element. Spatial2DOf reads it from a node's shapes at bind time; PixelOf maps an
// output element to its output row and column and to its input plane.
#pragma once

#include <cstdint>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

struct Spatial2D {
  int64_t channels = 1, ih = 1, iw = 1, oh = 1, ow = 1;
  bool channels_last = false;
};

/// Output row and column of one output element, the input element where its plane starts and
/// the input element strides of a row and of a column.
struct Pixel {
  int64_t oh, ow, base, row_stride, col_stride;
};

__device__ __forceinline__ Pixel PixelOf(int64_t i, const Spatial2D& g) {
  int64_t rest = i, c = 0;
  if (g.channels_last) {
    c = rest % g.channels;
    rest /= g.channels;
  }
  Pixel p;
  p.ow = rest % g.ow;
  rest /= g.ow;
  p.oh = rest % g.oh;
  rest /= g.oh;
  // rest is the plane (n * C + c) in NCHW, the image n in NHWC.
  if (g.channels_last) {
    p.base = rest * g.ih * g.iw * g.channels + c;
    p.row_stride = g.iw * g.channels;
    p.col_stride = g.channels;
  } else {
    p.base = rest * g.ih * g.iw;
    p.row_stride = g.iw;
    p.col_stride = 1;
  }
  return p;
}

/// The geometry of a 4-D node whose data (input 0) and output share one layout (registered
/// kSameLayout) and whose batch and channels are kept.
inline Spatial2D Spatial2DOf(const KernelArgs& a) {
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  MXS_CHECK_CODE(in.ndim() == 4 && out.ndim() == 4 && in[0] == out[0] && in[1] == out[1],
                 kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": shapes " << in.ToString() << " -> "
      << out.ToString();
  Spatial2D g;
  g.channels = in[1];
  g.ih = in[2];
  g.iw = in[3];
  g.oh = out[2];
  g.ow = out[3];
  g.channels_last = a.in[0].layout == Layout::kChannelsLast;
  return g;
}

}  // namespace cuda
}  // namespace mxserve
