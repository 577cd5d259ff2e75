// SPDX-License-Identifier: Apache-2.0
// Numpy broadcasting of a binary node for the one-thread-per-output kernels: at bind time each
// operand's element strides against the output (0 along a broadcast dim), on the device the two
// operand elements an output element reads.
#pragma once

#include <cstdint>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

constexpr int kMaxBroadcastDims = 8;

/// Output extents and each operand's element strides (0 along broadcast dims).
struct BroadcastStrides {
  int ndim = 0;
  int64_t out[kMaxBroadcastDims];
  int64_t lhs[kMaxBroadcastDims];
  int64_t rhs[kMaxBroadcastDims];
};

/// Strides of `in` right-aligned against `out`, 0 where `in` has extent 1 (or no dim).
inline void FillBroadcastStrides(const Shape& in, const Shape& out, int64_t* strides) {
  const int off = out.ndim() - in.ndim();
  int64_t s = 1;
  for (int d = out.ndim() - 1; d >= 0; --d) {
    const int j = d - off;
    if (j < 0 || in[j] == 1) {
      strides[d] = 0;
    } else {
      strides[d] = s;
      s *= in[j];
    }
  }
}

/// The strides of inputs 0 and 1 against output 0; kUnsupported past kMaxBroadcastDims dims.
inline BroadcastStrides BroadcastStridesOf(const KernelArgs& a) {
  const Shape& out = a.out[0].shape;
  MXS_CHECK_CODE(out.ndim() <= kMaxBroadcastDims, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": more than " << kMaxBroadcastDims
      << " dims on CUDA";
  BroadcastStrides s;
  s.ndim = out.ndim();
  for (int d = 0; d < out.ndim(); ++d) s.out[d] = out[d];
  FillBroadcastStrides(a.in[0].shape, out, s.lhs);
  FillBroadcastStrides(a.in[1].shape, out, s.rhs);
  if (s.ndim == 0) {  // scalars: one element
    s.ndim = 1;
    s.out[0] = 1;
    s.lhs[0] = s.rhs[0] = 0;
  }
  return s;
}

/// The elements of the two operands output element `i` reads.
__device__ __forceinline__ void BroadcastOperands(const BroadcastStrides& s, int64_t i,
                                                  int64_t* ia, int64_t* ib) {
  int64_t rest = i;
  *ia = 0;
  *ib = 0;
  for (int d = s.ndim - 1; d >= 0; --d) {
    const int64_t pos = rest % s.out[d];
    rest /= s.out[d];
    *ia += pos * s.lhs[d];
    *ib += pos * s.rhs[d];
  }
}

}  // namespace cuda
}  // namespace mxserve
