// SPDX-License-Identifier: Apache-2.0
// PoolWindowOf.
#include "backends/cuda/pool_window.h"

#include <vector>

namespace mxserve {
namespace cuda {

bool PoolWindowOf(const PoolingParam& p, const Shape& in, const Shape& out, Layout in_layout,
                  Layout out_layout, PoolWindow* w) {
  std::vector<int64_t> kernel, stride, pad;
  PoolingWindow(p, in, kernel, stride, pad);
  *w = PoolWindow{};
  w->batch = in[0];
  w->channels = in[1];
  w->in_channels_last = in_layout == Layout::kChannelsLast;
  w->out_channels_last = out_layout == Layout::kChannelsLast;
  const int nd = in.ndim() - 2;
  for (int i = 0; i < 3; ++i) {
    const int j = i - (3 - nd);
    w->in[i] = j < 0 ? 1 : in[2 + j];
    w->out[i] = j < 0 ? 1 : out[2 + j];
    w->kernel[i] = j < 0 ? 1 : kernel[j];
    w->stride[i] = j < 0 ? 1 : stride[j];
    w->pad[i] = j < 0 ? 0 : pad[j];
  }
  w->count_include_pad = p.count_include_pad;
  if (p.pool_type == "max")
    w->kind = PoolKind::kMax;
  else if (p.pool_type == "avg")
    w->kind = PoolKind::kAvg;
  else if (p.pool_type == "sum")
    w->kind = PoolKind::kSum;
  else if (p.pool_type == "lp" && p.p_value == 2)
    w->kind = PoolKind::kLp2;
  else if (p.pool_type == "lp" && p.p_value == 3)
    w->kind = PoolKind::kLp3;
  else if (p.pool_type == "lp" && p.p_value == 1)
    w->kind = PoolKind::kLp1;
  else
    return false;
  return true;
}

}  // namespace cuda
}  // namespace mxserve
