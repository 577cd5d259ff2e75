// SPDX-License-Identifier: Apache-2.0
// AdaptToDTypes: in float16 / bfloat16 mode the planner may give one node float activations of
// two dtypes (float32 at the graph's inputs and outputs and next to float32-only kernels). The
// adapter creates the kernel for one compute dtype and converts each computed float input and
// output whose dtype differs, in the scratchpad. Bound parameters, float32 in every mode, are
// passed as they are (convolutions and products convert their weights once at bind time); where
// the kernel refuses a float32 parameter beside reduced activations, they are converted to the
// compute dtype once at bind and the kernel is made again.
#pragma once

#include <functional>
#include <memory>

#include "backends/kernel.h"

namespace mxserve {
namespace cuda {

using CudaFactory = std::function<std::unique_ptr<Kernel>(const KernelArgs&)>;

/// `make(args)` when all computed float tensors share a dtype, else the kernel `make` creates
/// for args with them all in args.compute_dtype, wrapped with conversions; the same with the
/// float32 parameters converted to a reduced compute dtype where `make` refuses them
/// (kUnsupported).
std::unique_ptr<Kernel> AdaptToDTypes(const KernelArgs& args, const CudaFactory& make);

/// A factory that applies AdaptToDTypes to `make`.
CudaFactory Adapted(CudaFactory make);

}  // namespace cuda
}  // namespace mxserve
