// SPDX-License-Identifier: Apache-2.0
// The transformer attention products of MXNet src/operator/contrib/transformer.cc
// (_contrib_interleaved_matmul_selfatt_qk / _selfatt_valatt / _encdec_qk / _encdec_valatt, whose
// projections interleave the heads: (seq, batch, heads * {q|k|v} * head_dim)) and
// _contrib_div_sqrt_dim.
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace mxserve {

struct InterleavedMatMulParam {
  int64_t heads = 1;  ///< number of attention heads

  static InterleavedMatMulParam Parse(const AttrMap& attrs);
};

/// _contrib_div_sqrt_dim has no attributes.
struct DivSqrtDimParam {
  static DivSqrtDimParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
