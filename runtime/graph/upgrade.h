// SPDX-License-Identifier: Apache-2.0
// Upgrades of graphs written by old MXNet versions that need operator knowledge (the rest is
// handled while reading the JSON).
#pragma once

#include "graph/graph.h"

namespace mxserve {

/// MXNet before 0.9 did not store auxiliary-state variables (BatchNorm's moving mean and
/// variance): adds a variable "<node>_<argname>" for every input an operator is missing, as
/// MXNet's UpgradeJSON_000800_000900 does. Requires resolved operators; keeps topological order.
void AddMissingInputs(Graph& g);

}  // namespace mxserve
