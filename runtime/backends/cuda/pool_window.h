// SPDX-License-Identifier: Apache-2.0
// The CUDA Pooling kernel's geometry and per-element arithmetic as host and device code: the
// window of one output element, MXNet's divisor rules (pool.h), input and output each row-major
// or channels-last. The CPU test build runs PoolElement against the CPU kernel
// (tests/cpp/test_layouts.cc); backends/cuda/pooling.cu runs it one thread per element.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "backends/kernel.h"
#include "base/host_device.h"
#include "base/shape.h"
#include "ops/pooling.h"

namespace mxserve {
namespace cuda {

/// The pooling kinds of the CUDA Pooling kernel.
enum class PoolKind : int { kMax, kAvg, kSum, kLp2, kLp3, kLp1 };

/// Pooling geometry with the spatial dims left-padded to three (size 1, kernel 1) and the
/// layouts of the input and the output.
struct PoolWindow {
  int64_t batch = 0, channels = 0;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1},
          pad[3] = {0, 0, 0};
  PoolKind kind = PoolKind::kMax;
  bool count_include_pad = true;
  bool in_channels_last = false, out_channels_last = false;
  /// Output elements.
  MXS_HOST_DEVICE int64_t size() const { return batch * channels * out[0] * out[1] * out[2]; }
};

/// Output element `i` (in the output's layout) of pooling `w` over the input read by
/// load(element index) as float: MXNet's window and divisor rules (pool.h), the average divided
/// term by term as MXNet does.
template <typename Load>
MXS_HOST_DEVICE float PoolElement(const PoolWindow& w, int64_t i, const Load& load) {
  const int64_t out_plane = w.out[0] * w.out[1] * w.out[2];
  const int64_t in_plane = w.in[0] * w.in[1] * w.in[2];
  int64_t n, c, rest;
  if (w.out_channels_last) {
    c = i % w.channels;
    rest = (i / w.channels) % out_plane;
    n = i / w.channels / out_plane;
  } else {
    rest = i % out_plane;
    c = (i / out_plane) % w.channels;
    n = i / out_plane / w.channels;
  }
  int64_t pos[3];
  pos[2] = rest % w.out[2];
  rest /= w.out[2];
  pos[1] = rest % w.out[1];
  pos[0] = rest / w.out[1];
  int64_t begin[3], end[3];
  int64_t padded_size = 1, valid_size = 1;
  for (int d = 0; d < 3; ++d) {
    const int64_t start = pos[d] * w.stride[d] - w.pad[d];
    const int64_t stop =
        start + w.kernel[d] < w.in[d] + w.pad[d] ? start + w.kernel[d] : w.in[d] + w.pad[d];
    padded_size *= stop - start;
    begin[d] = start > 0 ? start : 0;
    end[d] = stop < w.in[d] ? stop : w.in[d];
    valid_size *= end[d] > begin[d] ? end[d] - begin[d] : 0;
  }
  const float divisor = w.kind == PoolKind::kAvg
                            ? static_cast<float>(w.count_include_pad ? padded_size : valid_size)
                            : 1.f;
  // The plane's first element and the stride of one spatial step in the input.
  const int64_t base =
      w.in_channels_last ? n * in_plane * w.channels + c : (n * w.channels + c) * in_plane;
  const int64_t step = w.in_channels_last ? w.channels : 1;
  float acc = w.kind == PoolKind::kMax ? -FLT_MAX : 0.f;
  for (int64_t a = begin[0]; a < end[0]; ++a)
    for (int64_t b = begin[1]; b < end[1]; ++b)
      for (int64_t e = begin[2]; e < end[2]; ++e) {
        const float v = load(base + ((a * w.in[1] + b) * w.in[2] + e) * step);
        switch (w.kind) {
          case PoolKind::kMax:
            acc = v > acc ? v : acc;
            break;
          case PoolKind::kAvg:
            acc += v / divisor;
            break;
          case PoolKind::kLp2:
            acc += v * v;
            break;
          case PoolKind::kLp3:
            acc += v * v * v;
            break;
          default:
            acc += v;
            break;
        }
      }
  if (w.kind == PoolKind::kLp2) acc = sqrtf(acc);
  if (w.kind == PoolKind::kLp3) acc = cbrtf(acc);
  return acc;
}

/// The window of pooling `p` from `in` to `out` in the given layouts; false when the CUDA
/// kernel has no such kind (lp with p_value other than 1, 2, 3).
bool PoolWindowOf(const PoolingParam& p, const Shape& in, const Shape& out, Layout in_layout,
                  Layout out_layout, PoolWindow* w);

}  // namespace cuda
}  // namespace mxserve
