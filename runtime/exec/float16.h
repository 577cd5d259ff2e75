// SPDX-License-Identifier: Apache-2.0
// Float16 graphs (a Gluon network after net.cast('float16')) run in float32: the CPU kernels
// compute in float32, and oneDNN has no float16 arithmetic on CPUs without AVX512-FP16.
#pragma once

#include <map>
#include <vector>

#include "backends/weight_cache.h"
#include "base/dtype.h"
#include "base/ndarray.h"
#include "graph/graph.h"

namespace mxserve {

/// Rewrites `g` (with its inferred entry dtypes `dtypes`, numbered by EntryIds(g)) so that it
/// computes in float32: each float16 parameter is bound to a float32 copy (stored in
/// `cache`, returned through `overrides`, keyed by the new variable index), each float16 caller
/// input and each explicit Cast / amp_cast to float16 feeds a Cast to float32 (so the rounding
/// stays), other dtype="float16" attributes become "float32", and each float16 graph output
/// `outputs` gets a Cast back to float16, so the caller sees the dtypes MXNet gives. `params` are
/// the model's parameters by name. Returns false (and changes nothing) when no entry is float16.
bool WidenFloat16(Graph& g, std::vector<NodeEntry>& outputs, const std::vector<DType>& dtypes,
                  const std::map<std::string, NDArray>& params,
                  std::map<uint32_t, NDArray>& overrides, WeightCache& cache);

}  // namespace mxserve
