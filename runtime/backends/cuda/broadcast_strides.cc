// SPDX-License-Identifier: Apache-2.0
// MakeBroadcastStrides and BroadcastStridesOf.
#include "backends/cuda/broadcast_strides.h"

#include <vector>

#include "backends/layouts.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// Element strides of `in` right-aligned against the logical dims of `out`, 0 where `in` has
/// extent 1 (or no dim).
void FillLogical(const TensorDesc& in, const Shape& out, int64_t* strides) {
  const int off = out.ndim() - in.shape.ndim();
  const std::vector<int64_t> own = LayoutStrides(in.shape, in.layout);
  for (int d = 0; d < out.ndim(); ++d) {
    const int j = d - off;
    strides[d] = j < 0 || in.shape[j] == 1 ? 0 : own[j];
  }
}

}  // namespace

bool MakeBroadcastStrides(const TensorDesc& lhs, const TensorDesc& rhs, const TensorDesc& out,
                          BroadcastStrides* s) {
  const Shape& o = out.shape;
  const int nd = o.ndim();
  if (nd > kMaxBroadcastDims) return false;
  int64_t l[kMaxBroadcastDims], r[kMaxBroadcastDims];
  FillLogical(lhs, o, l);
  FillLogical(rhs, o, r);
  // The output's memory order: N, spatial..., C for channels-last.
  int order[kMaxBroadcastDims];
  for (int d = 0; d < nd; ++d) order[MemoryAxis(d, nd, out.layout)] = d;
  *s = BroadcastStrides{};
  s->ndim = nd;
  for (int k = 0; k < nd; ++k) {
    s->out[k] = o[order[k]];
    s->lhs[k] = l[order[k]];
    s->rhs[k] = r[order[k]];
  }
  if (s->ndim == 0) {  // scalars: one element
    s->ndim = 1;
    s->out[0] = 1;
    s->lhs[0] = s->rhs[0] = 0;
  }
  return true;
}

BroadcastStrides BroadcastStridesOf(const KernelArgs& a) {
  BroadcastStrides s;
  MXS_CHECK_CODE(MakeBroadcastStrides(a.in[0], a.in[1], a.out[0], &s), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": more than " << kMaxBroadcastDims
      << " dims on CUDA";
  return s;
}

}  // namespace cuda
}  // namespace mxserve
