// SPDX-License-Identifier: Apache-2.0
// Broadcasting copies (MXNet src/operator/tensor/broadcast_reduce_op.h BroadcastToParam,
// BroadcastLikeParam, BroadcastAxesParam; numpy/np_broadcast_reduce_op_value.h): broadcast_to,
// _npi_broadcast_to, broadcast_like (_npx_broadcast_like), broadcast_axis (broadcast_axes).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

/// Output `out` of any of these ops as a view of input `in`: `in` right-aligned to `out`, its
/// size-1 axes read with stride 0.
StridedView BroadcastView(const Shape& in, const Shape& out);

/// broadcast_to: the target shape, as long as the input's; 0 keeps the input's dimension.
struct BroadcastToParam {
  std::vector<int64_t> shape;  ///< target shape

  static BroadcastToParam Parse(const AttrMap& attrs);
  Shape Out(const Shape& in) const;
};

/// _npi_broadcast_to: numpy rules; the target may have more axes (added in front) and -2 keeps
/// the input's dimension.
struct NumpyBroadcastToParam {
  std::vector<int64_t> shape;  ///< target shape

  static NumpyBroadcastToParam Parse(const AttrMap& attrs);
  Shape Out(const Shape& in) const;
};

/// broadcast_like: the second input's shape, or only its rhs_axes copied onto lhs_axes.
struct BroadcastLikeParam {
  std::optional<std::vector<int64_t>> lhs_axes;  ///< axes of the first input to broadcast
  std::optional<std::vector<int64_t>> rhs_axes;  ///< axes of the second input giving the sizes

  static BroadcastLikeParam Parse(const AttrMap& attrs);
  Shape Out(const Shape& lhs, const Shape& rhs) const;
};

/// broadcast_axis: axes of size 1 and the size each becomes.
struct BroadcastAxisParam {
  std::vector<int64_t> axis;  ///< axes to broadcast (non-negative, as MXNet 1.9.1 requires)
  std::vector<int64_t> size;  ///< new size per axis

  static BroadcastAxisParam Parse(const AttrMap& attrs);
  Shape Out(const Shape& in) const;
};

}  // namespace mxserve
