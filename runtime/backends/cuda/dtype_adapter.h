// SPDX-License-Identifier: Apache-2.0
// AdaptToDTypes: in float16 / bfloat16 mode the planner may give one node float activations of
// two dtypes (float32 at the graph's inputs and outputs and next to float32-only kernels). The
// adapter creates the kernel for one compute dtype and converts each computed float input and
// output whose dtype differs, in the scratchpad; bound parameters are passed as they are (the
// kernels convert weights once at bind time).
#pragma once

#include <functional>
#include <memory>

#include "backends/kernel.h"

namespace mxserve {
namespace cuda {

using CudaFactory = std::function<std::unique_ptr<Kernel>(const KernelArgs&)>;

/// `make(args)` when all computed float tensors share a dtype, else the kernel `make` creates
/// for args with them all in args.compute_dtype, wrapped with conversions.
std::unique_ptr<Kernel> AdaptToDTypes(const KernelArgs& args, const CudaFactory& make);

/// A factory that applies AdaptToDTypes to `make`.
CudaFactory Adapted(CudaFactory make);

}  // namespace cuda
}  // namespace mxserve
