// SPDX-License-Identifier: Apache-2.0
// Cast / amp_cast (MXNet src/operator/tensor/elemwise_unary_op.h CastParam, amp_cast.h).
#pragma once

#include "base/dtype.h"
#include "graph/graph.h"

namespace mxserve {

struct CastParam {
  DType dtype = DType::kUnknown;  ///< output dtype

  static CastParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
