// SPDX-License-Identifier: Apache-2.0
// The host fallback: a node whose operator has no kernel on a device backend (or whose kernel
// refuses the node's attributes or dtypes) runs on the host backend's kernel, with its inputs
// copied from the device into pinned staging memory and its outputs copied back. The planner
// logs each such node once and Predictor.info() lists it: never a silent wrong answer.
#pragma once

#include <memory>
#include <string>

#include "backends/backend.h"

namespace mxserve {

/// The kernel of `args.node` on the host backend, wrapped with copies to and from `device`
/// (a backend whose memory the host cannot read). Throws what the host backend throws when it
/// cannot run the node either.
std::unique_ptr<Kernel> CreateHostFallback(const Backend& device, const KernelArgs& args);

/// True for the kernels CreateHostFallback returns.
bool IsHostFallback(const Kernel& kernel);

/// Writes once per process and node to stderr that `node` runs on the host instead of `device`,
/// and why (`reason`, the device backend's refusal).
void LogHostFallback(const Backend& device, const Node& node, const std::string& reason);

}  // namespace mxserve
