// SPDX-License-Identifier: Apache-2.0
// Layout assignment: which activations are stored channels-last.
#pragma once

#include "exec/plan.h"

namespace mxserve {

/// Marks 3-D to 5-D activations channels-last (NWC/NHWC/NDHWC) when the kernel that writes them
/// and every kernel that reads them accept that layout; graph inputs, parameters and outputs stay
/// row-major. Convolution, pooling and their neighbours then run on oneDNN's fast channels-last
/// paths with no reorder between them. Disabled when MXSERVE_LAYOUT=rowmajor.
void AssignLayouts(Plan& plan);

}  // namespace mxserve
