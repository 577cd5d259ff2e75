// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the CPU kernels of quantized operators: rounding with saturation as oneDNN's
// reorders do it (round half to even), and the range outputs every quantized node writes.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "backends/kernel.h"
#include "base/error.h"
#include "ops/quantization.h"

namespace mxserve {
namespace cpu {

/// `v` rounded half to even and clamped to T's range.
template <typename T>
inline T SaturateRound(float v) {
  const float lo = static_cast<float>(std::numeric_limits<T>::min());
  const float hi = static_cast<float>(std::numeric_limits<T>::max());
  const float r = std::nearbyint(v);
  if (!(r > lo)) return std::numeric_limits<T>::min();  // also NaN, as oneDNN gives the low end
  if (r >= hi) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

/// Writes the node's output range into outputs 1 and 2 (float32, one value each).
inline void WriteRangeOutputs(const RunArgs& args, const QuantRanges& r) {
  *static_cast<float*>(args.out[1]) = r.out_min;
  *static_cast<float*>(args.out[2]) = r.out_max;
}

/// Throws unless passes/quantized_ranges.cc resolved `r`.
inline void CheckResolved(const QuantRanges& r, const std::string& what) {
  MXS_CHECK_CODE(r.resolved, kUnsupported)
      << "failed to plan " << what << ": its quantization ranges are not known at bind time";
}

}  // namespace cpu
}  // namespace mxserve
