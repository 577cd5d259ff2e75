// SPDX-License-Identifier: Apache-2.0
// BatchNorm (MXNet src/operator/nn/batch_norm-inl.h BatchNormParam), inference form.
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct BatchNormParam {
  double eps = 1e-3;             ///< added to the moving variance before the square root
  bool fix_gamma = true;         ///< gamma is treated as 1 when true
  bool output_mean_var = false;  ///< also output the mean and the inverse standard deviation
  int axis = 1;                  ///< channel axis; negative counts from the end

  static BatchNormParam Parse(const AttrMap& attrs);
};

/// _contrib_SyncBatchNorm (MXNet src/operator/contrib/sync_batch_norm-inl.h): at inference the
/// same computation as BatchNorm on axis 1; the cross-device attributes change nothing. It adds
/// no members, so kernels and passes read it as a BatchNormParam.
struct SyncBatchNormParam : BatchNormParam {
  static SyncBatchNormParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
