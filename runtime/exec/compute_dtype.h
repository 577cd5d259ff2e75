// SPDX-License-Identifier: Apache-2.0
// Compute dtypes (BindOptions::compute_dtype: float32, bfloat16...), parsed and checked in one
// place for the Python binding, the C predict API (MXSERVE_DTYPE) and BuildPlan.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "base/dtype.h"

namespace mxserve {

/// Names of the compute dtypes some backend of this build implements, float32 first.
std::vector<std::string> ComputeDTypeNames();

/// Parses compute dtype `name`; throws kInvalidArgument "<what> must be 'float32' or
/// 'bfloat16', got '<name>'" for a name no backend of this build implements.
DType ParseComputeDType(const std::string& name, const std::string& what = "dtype");

/// Throws unless `backend` runs compute dtype `dtype` on this machine: kInvalidArgument for a
/// dtype that is not a compute dtype, kUnsupported naming the backend, or what the machine lacks.
void CheckComputeDType(const Backend& backend, DType dtype);

}  // namespace mxserve
