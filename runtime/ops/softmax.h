// SPDX-License-Identifier: Apache-2.0
// The softmax family (MXNet src/operator/nn/softmax-inl.h SoftmaxParam,
// nn/softmax_activation-inl.h, softmax_output-inl.h): softmax, log_softmax, SoftmaxActivation
// and SoftmaxOutput, which all normalise exp(x) along one axis of a (outer, n, inner) view.
#pragma once

#include <string>

#include "base/dtype.h"
#include "graph/graph.h"

namespace mxserve {

/// softmax and log_softmax.
struct SoftmaxParam {
  int axis = -1;                      ///< normalised axis; negative counts from the end
  double temperature = 1.0;           ///< inputs are divided by it before exp
  DType dtype = DType::kUnknown;      ///< output dtype; kUnknown means the input's
  bool use_length = false;            ///< a second input gives the valid length per row

  static SoftmaxParam Parse(const AttrMap& attrs);
};

/// masked_softmax and masked_log_softmax (MXNet 2.0): a boolean mask, broadcast to the data,
/// selects the elements that take part; the others give 0 (-inf for the log form).
struct MaskedSoftmaxParam {
  int axis = -1;              ///< normalised axis; negative counts from the end
  double temperature = 1.0;   ///< inputs are divided by it before exp

  static MaskedSoftmaxParam Parse(const AttrMap& attrs);
};

/// SoftmaxActivation (deprecated in MXNet, still found in old models).
struct SoftmaxActivationParam {
  bool channel = false;  ///< mode=channel: over axis 1; mode=instance: over the last axis

  static SoftmaxActivationParam Parse(const AttrMap& attrs);
};

/// SoftmaxOutput / Softmax: a loss head whose forward pass is a plain softmax.
struct SoftmaxOutputParam {
  bool multi_output = false;    ///< softmax over axis 1 of (N, C, rest)
  bool preserve_shape = false;  ///< softmax over the last axis

  static SoftmaxOutputParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
