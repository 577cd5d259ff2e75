// SPDX-License-Identifier: Apache-2.0
// Element strides of an (N, C, *spatial) activation seen as (N, C, S), S the product of the
// spatial sizes, in its physical layout; the normalisation kernels walk either layout with it.
#pragma once

#include <cstdint>

#include "backends/kernel.h"
#include "base/shape.h"

namespace mxserve {
namespace cpu {

struct NcsView {
  int64_t batch = 1, channels = 1, spatial = 1;  ///< N, C and S
  int64_t n_stride = 1, c_stride = 1, s_stride = 1;  ///< element strides of the three axes

  explicit NcsView(const TensorDesc& t) {
    const Shape& s = t.shape;
    batch = s.ndim() > 0 ? s[0] : 1;
    channels = s.ndim() > 1 ? s[1] : 1;
    spatial = s.ndim() > 2 ? ShapeProduct(s, 2, s.ndim()) : 1;
    n_stride = channels * spatial;
    if (t.layout == Layout::kChannelsLast) {
      c_stride = 1;
      s_stride = channels;
    } else {
      c_stride = spatial;
      s_stride = 1;
    }
  }
  int64_t offset(int64_t n, int64_t c, int64_t s) const {
    return n * n_stride + c * c_stride + s * s_stride;
  }
};

}  // namespace cpu
}  // namespace mxserve
