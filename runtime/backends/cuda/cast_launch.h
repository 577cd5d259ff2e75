// SPDX-License-Identifier: Apache-2.0
// Element type conversion on the device, shared by Cast and the dtype adapter.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "base/dtype.h"

namespace mxserve {
namespace cuda {

/// True when LaunchCast converts `from` to `to` (float32, float16, bfloat16, int32, int64).
bool CanCast(DType from, DType to);
/// Converts n elements from x (`from`) to y (`to`) on `stream`; a float to int conversion
/// truncates toward zero. `from == to` copies.
void LaunchCast(DType from, DType to, const void* x, void* y, int64_t n, cudaStream_t stream);

}  // namespace cuda
}  // namespace mxserve
