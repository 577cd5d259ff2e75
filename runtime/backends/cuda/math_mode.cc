// SPDX-License-Identifier: Apache-2.0
// Tf32Requested.
#include "backends/cuda/math_mode.h"

#include <cstdlib>
#include <cstring>

namespace mxserve {
namespace cuda {

bool Tf32Requested() {
  const char* env = std::getenv("MXSERVE_CUDA_TF32");
  return env != nullptr && std::strcmp(env, "1") == 0;
}

}  // namespace cuda
}  // namespace mxserve
