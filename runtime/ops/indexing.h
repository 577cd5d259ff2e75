// SPDX-License-Identifier: Apache-2.0
// Indexing operators (MXNet src/operator/tensor/indexing_op.h TakeParam, OneHotParam, gather_nd,
// batch_take; broadcast_reduce_op.h PickParam): take (_npi_take), pick (choose_element_0index,
// _npx_pick), batch_take, one_hot (_npx_one_hot), gather_nd (_npi_gather_nd, _npx_gather_nd).
// Index inputs may have any numeric dtype; floats are truncated toward zero.
#pragma once

#include <cstdint>
#include <optional>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// How out-of-range indices are treated.
enum class IndexMode {
  kClip,   ///< clamped to [0, size - 1]
  kWrap,   ///< taken modulo the size
  kRaise,  ///< an error in MXNet at run time; in-range indices behave as kWrap
};

/// take: rows of `a` along `axis` picked by every index.
struct TakeParam {
  int64_t axis = 0;                   ///< the indexed axis of the data, may be negative
  IndexMode mode = IndexMode::kClip;  ///< out-of-range rule

  static TakeParam Parse(const AttrMap& attrs);
};

/// pick: one element per position along `axis`.
struct PickParam {
  std::optional<int64_t> axis = -1;   ///< the indexed axis (None is refused, as in MXNet)
  bool keepdims = false;              ///< keep the indexed axis with size 1
  IndexMode mode = IndexMode::kClip;  ///< clip or wrap

  static PickParam Parse(const AttrMap& attrs);
  /// The output shape for data of shape `in` (MXNet's ReduceAxisShapeImpl).
  Shape Out(const Shape& in, bool keep) const;
};

/// batch_take takes no attributes.
struct BatchTakeParam {
  static BatchTakeParam Parse(const AttrMap& attrs);
};

/// one_hot: a new last axis of size depth, on_value at the index and off_value elsewhere.
struct OneHotParam {
  int64_t depth = 0;              ///< size of the new axis
  double on_value = 1.0;          ///< value at the index
  double off_value = 0.0;         ///< value elsewhere
  DType dtype = DType::kFloat32;  ///< output dtype

  static OneHotParam Parse(const AttrMap& attrs);
};

/// gather_nd takes no attributes.
struct GatherNdParam {
  static GatherNdParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
