// SPDX-License-Identifier: Apache-2.0
// Host helpers several CUDA factories share at bind time: the float32-only check of the box,
// region and detection kernels, and the conversion of an attribute value (a fill, pad or mask
// constant, a where scalar, one_hot's on and off values) to the element bytes a kernel writes.
#pragma once

#include <cstdint>
#include <cstring>

#include "backends/backend.h"
#include "base/dtype.h"
#include "base/error.h"
#include "graph/graph.h"

namespace mxserve {
namespace cuda {

/// Throws kUnsupported unless every input and output of the node is float32.
inline void RequireFloat32(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32 inputs, not "
        << DTypeName(t.dtype);
  for (const auto& t : a.out)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel writes float32, not "
        << DTypeName(t.dtype);
}

/// The bytes of v, in the low bytes of a uint64_t.
template <typename T>
uint64_t ElementBits(T v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}

/// The bytes of `v` as an element of dtype `t` (in the low bytes of *bits), converted as the CPU
/// kernels and MXNet's DType(value) do: C++ casts, 16-bit floats rounded to nearest even through
/// float32, bool as `v != 0`. False for a dtype without such a conversion.
inline bool ValueBits(DType t, double v, uint64_t* bits) {
  switch (t) {
    case DType::kFloat32: *bits = ElementBits(static_cast<float>(v)); return true;
    case DType::kFloat64: *bits = ElementBits(v); return true;
    case DType::kFloat16: *bits = ElementBits(FloatToHalf(static_cast<float>(v))); return true;
    case DType::kBfloat16:
      *bits = ElementBits(FloatToBfloat16(static_cast<float>(v)));
      return true;
    case DType::kUint8: *bits = ElementBits(static_cast<uint8_t>(v)); return true;
    case DType::kInt8: *bits = ElementBits(static_cast<int8_t>(v)); return true;
    case DType::kInt32: *bits = ElementBits(static_cast<int32_t>(v)); return true;
    case DType::kInt64: *bits = ElementBits(static_cast<int64_t>(v)); return true;
    case DType::kBool: *bits = ElementBits(static_cast<uint8_t>(v != 0.0 ? 1 : 0)); return true;
    default: return false;
  }
}

}  // namespace cuda
}  // namespace mxserve
