// SPDX-License-Identifier: Apache-2.0
// The one float kernel of FullyConnected and float32 _sg_mkldnn_fully_connected nodes.
#pragma once

#include <memory>
#include <string>

#include "backends/kernel.h"
#include "ops/fused_fully_connected.h"

namespace mxserve {
namespace cpu {

/// The kernel of a float32 (bfloat16 in bfloat16 mode) inner product with the post-ops of `p`.
/// A FullyConnected node runs it with FusedFullyConnectedParam::Of its param.
std::unique_ptr<Kernel> CreateFloatFullyConnected(const KernelArgs& a, const FusedFullyConnectedParam& p,
                                                  const std::string& what);

}  // namespace cpu
}  // namespace mxserve
