// SPDX-License-Identifier: Apache-2.0
// Shape and dtype inference over a resolved graph.
#pragma once

#include <vector>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// Runs every live operator's InferShape hook in topological order. `shapes` holds one Shape per
/// entry (EntryIds); variables' shapes are filled in by the caller where known and filled in
/// here from the operators that consume them otherwise. Known shapes are checked: a mismatch
/// throws "failed to infer shape of <Op> node '<name>': <reason>".
void InferShapes(const Graph& g, const std::vector<bool>& live, std::vector<Shape>& shapes);

/// The same for dtypes.
void InferTypes(const Graph& g, const std::vector<bool>& live, std::vector<DType>& dtypes);

}  // namespace mxserve
