// SPDX-License-Identifier: Apache-2.0
// Precision assignment for a reduced float compute dtype (bfloat16 mode): which activations are
// stored in it.
#pragma once

#include "exec/plan.h"

namespace mxserve {

/// In bfloat16 (or float16) mode marks float32 activations `compute_dtype` when the kernel that
/// writes them and every kernel that reads them handle it (Backend::precision_support); graph
/// inputs, parameters and outputs stay float32, so callers see float32 only. No-op otherwise.
void AssignPrecision(Plan& plan, DType compute_dtype);

}  // namespace mxserve
