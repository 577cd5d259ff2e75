// SPDX-License-Identifier: Apache-2.0
// Broadcasting binary ops: broadcast_add... (MXNet 1.x) and _npi_add... (MXNet 2.0 numpy).
#pragma once

#include <string>
#include <vector>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"
#include "ops/elemwise_binary.h"

namespace mxserve {

/// Attributes of the broadcasting binary ops: there are none, but unknown keys must be rejected.
struct BroadcastBinaryParam {
  static BroadcastBinaryParam Parse(const AttrMap& attrs);
};

/// The function of a broadcasting binary op, by canonical name; throws kInternal otherwise.
BinaryFn BroadcastBinaryFnOf(const std::string& op);

/// numpy broadcasting of two shapes (right-aligned; each dimension equal or 1); throws
/// kInvalidArgument naming both shapes when they are incompatible.
Shape BroadcastShapes(const Shape& lhs, const Shape& rhs);
/// Canonical names of the broadcasting binary ops, for the backends' registration.
std::vector<std::string> BroadcastBinaryOpNames();

}  // namespace mxserve
