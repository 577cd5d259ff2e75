// SPDX-License-Identifier: Apache-2.0
// Conversions of index and length values to integers that the CPU and CUDA kernels share
// (take / gather_nd / Embedding indices, sequence lengths).
#pragma once

#include <cstdint>

#include "base/host_device.h"

namespace mxserve {

/// A float index as static_cast<int64_t> gives it on x86-64: truncated towards zero, INT64_MIN
/// when NaN or outside the int64 range (where the cast itself would be undefined).
MXS_HOST_DEVICE inline int64_t TruncIndex(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

}  // namespace mxserve
