// SPDX-License-Identifier: Apache-2.0
// Precision assignment for bfloat16 mode: which activations are stored as bfloat16.
#pragma once

#include "exec/plan.h"

namespace mxserve {

/// In bfloat16 mode (`compute_dtype` kBfloat16) marks float32 activations bfloat16 when the
/// kernel that writes them and every kernel that reads them handle bfloat16; graph inputs,
/// parameters and outputs stay float32, so callers see float32 only. No-op in float32 mode.
void AssignPrecision(Plan& plan, DType compute_dtype);

}  // namespace mxserve
