// SPDX-License-Identifier: Apache-2.0
// Bind-time graph passes. Each pass rewrites the plan's copy of the graph in place; nodes it
// makes unreachable are dropped by liveness afterwards. Weights a pass computes are stored in
// the model's WeightCache (shared by every binding) and bound through `overrides`.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/weight_cache.h"
#include "base/ndarray.h"
#include "base/shape.h"
#include "graph/graph.h"
#include "ops/fused_convolution.h"
#include "ops/fused_fully_connected.h"

namespace mxserve {

struct PassContext {
  Graph& graph;                                   ///< rewritten in place
  const std::set<NodeEntry>& keep;                ///< entries that must stay observable (outputs)
  const std::set<std::string>& inputs;            ///< variables bound to caller inputs
  const std::map<std::string, NDArray>& params;   ///< the model's parameters
  std::map<uint32_t, NDArray>& overrides;         ///< variable node -> value replacing its param
  WeightCache& cache;                             ///< storage for computed weights
  const EntryIds& ids;                            ///< entry numbering of the graph as written
  const std::vector<Shape>& shapes;               ///< inferred shape of every entry (by ids)
  const std::vector<DType>& dtypes;               ///< inferred dtype of every entry (by ids)

  /// Inferred shape of entry `e` (valid for entries that existed before the passes ran).
  const Shape& ShapeOf(const NodeEntry& e) const { return shapes[ids(e)]; }
  DType DTypeOf(const NodeEntry& e) const { return dtypes[ids(e)]; }

  /// The constant value of variable node `v`: an override, else its parameter; null for inputs
  /// and unbound variables.
  const NDArray* Constant(uint32_t v) const;
  /// Number of live inputs, over all operator nodes, that read entry `e`.
  int NumConsumers(const NodeEntry& e) const;
};

/// Turns `target` into a copy of the operator of `like` with `param` and `inputs`: how the
/// fusion passes rewrite the last node of a fused chain in place, so that it keeps its name and
/// its consumers.
void BecomeLike(Node& target, const Node& like, std::shared_ptr<const void> param,
                std::vector<NodeEntry> inputs);

/// The param of `n` as a fused convolution the passes may extend: a copy of a float32
/// _sg_mkldnn_conv's, or FusedConvolutionParam::Of a Convolution's; nullopt for other nodes.
std::optional<FusedConvolutionParam> FusibleConvolution(const Node& n);
/// The same for FullyConnected and float32 _sg_mkldnn_fully_connected.
std::optional<FusedFullyConnectedParam> FusibleFullyConnected(const Node& n);
/// Turns `target` into an _sg_mkldnn_conv (_sg_mkldnn_fully_connected) node with `param` and
/// `inputs`, keeping its name and consumers.
void BecomeFused(Node& target, FusedConvolutionParam param, std::vector<NodeEntry> inputs);
void BecomeFused(Node& target, FusedFullyConnectedParam param, std::vector<NodeEntry> inputs);

/// Computes operators whose inputs are all parameters once (passes/fold_constants.cc).
void FoldConstants(PassContext& ctx);

/// Folds inference BatchNorm into the Convolution that feeds it (passes/fold_batchnorm.cc).
void FoldBatchNorm(PassContext& ctx);

/// Fuses activations and residual additions into the Convolution before them (passes/fuse_conv.cc).
void FuseConvolution(PassContext& ctx);

/// Fuses an activation (GELU, ReLU, sigmoid, tanh) into the FullyConnected, dot or batch_dot
/// before it (passes/fuse_fully_connected.cc).
void FuseFullyConnected(PassContext& ctx);

/// Fuses a 3x3 depthwise Convolution into the 1x1 Convolution before it, run as one oneDNN
/// primitive with a depthwise post-op (passes/fuse_depthwise.cc).
void FuseDepthwise(PassContext& ctx);

/// Stores the bind-time ranges of quantized tensors in each quantized node's param
/// (passes/quantized_ranges.cc); runs whether or not the optimising passes do.
void ResolveQuantizedRanges(PassContext& ctx);

/// Runs every pass in order; MXSERVE_DEBUG_PASSES=1 prints the op counts before and after.
void RunPasses(PassContext& ctx);

}  // namespace mxserve
