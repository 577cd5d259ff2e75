// SPDX-License-Identifier: Apache-2.0
// Layout assignment: which activations are stored channels-last.
#pragma once

#include "exec/plan.h"

namespace mxserve {

/// Marks 3-D to 5-D activations channels-last (NWC/NHWC/NDHWC) when the kernel that writes them
/// and every kernel that reads them accept that layout; graph inputs, parameters and outputs stay
/// row-major. Convolution, pooling and their neighbours then run on the backend's channels-last
/// paths (oneDNN's, cuDNN's NHWC tensor-core kernels) with no reorder between them. Done where
/// the backend prefers it for `compute_dtype` (Backend::PrefersChannelsLast);
/// MXSERVE_LAYOUT=rowmajor turns it off, MXSERVE_LAYOUT=channels_last on for every dtype.
void AssignLayouts(Plan& plan, DType compute_dtype);

}  // namespace mxserve
