// SPDX-License-Identifier: Apache-2.0
// Numpy broadcasting of a binary node for the one-thread-per-output kernels: at bind time each
// operand's element strides against the output (0 along a broadcast dim, from the operand's own
// layout), with the dims in the output's memory order; on the device the two operand elements
// that output element i (its memory offset) reads. Host arithmetic besides MXS_HOST_DEVICE, so
// the CPU test build checks it (tests/cpp/test_layouts.cc).
#pragma once

#include <cstdint>

#include "backends/kernel.h"
#include "base/host_device.h"

namespace mxserve {
namespace cuda {

constexpr int kMaxBroadcastDims = 8;

/// Output extents in memory order and each operand's element strides along them (0 along
/// broadcast dims).
struct BroadcastStrides {
  int ndim = 0;
  int64_t out[kMaxBroadcastDims];
  int64_t lhs[kMaxBroadcastDims];
  int64_t rhs[kMaxBroadcastDims];
};

/// The strides of `lhs` and `rhs` (right-aligned against the output's logical dims, each read
/// in its own layout) over `out`'s memory order; false past kMaxBroadcastDims dims.
bool MakeBroadcastStrides(const TensorDesc& lhs, const TensorDesc& rhs, const TensorDesc& out,
                          BroadcastStrides* s);

/// The strides of inputs 0 and 1 against output 0; kUnsupported past kMaxBroadcastDims dims.
BroadcastStrides BroadcastStridesOf(const KernelArgs& a);

/// The elements of the two operands output element `i` reads.
MXS_HOST_DEVICE inline void BroadcastOperands(const BroadcastStrides& s, int64_t i, int64_t* ia,
                                              int64_t* ib) {
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
