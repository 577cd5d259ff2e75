// SPDX-License-Identifier: Apache-2.0
// Operators that are the identity at inference: Dropout, BlockGrad, _copy, make_loss, MakeLoss
// (MXNet src/operator/nn/dropout-inl.h, tensor/elemwise_unary_op_basic.cc, make_loss-inl.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mxserve {

struct DropoutParam {
  double p = 0.5;              ///< drop probability in [0, 1]; unused at inference
  std::string mode;            ///< "training" (identity at inference) or "always" (rejected unless p is 0)
  std::vector<int64_t> axes;   ///< axes sharing one mask (variational dropout); unused at inference

  static DropoutParam Parse(const AttrMap& attrs);
};

/// Attributes of _copy, BlockGrad and make_loss: there are none, and any given is an error.
struct NoAttrParam {
  static NoAttrParam Parse(const AttrMap& attrs);
};

struct MakeLossParam {
  double grad_scale = 1.0;     ///< gradient scale; the forward pass ignores it
  double valid_thresh = 0.0;   ///< threshold of the "valid" normalization; forward ignores it
  std::string normalization;   ///< null, batch or valid; only affects the gradient

  static MakeLossParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
