// SPDX-License-Identifier: Apache-2.0
// The oneDNN deconvolution kernel, shared with UpSampling's bilinear mode (a grouped
// deconvolution, as MXNet computes it).
#pragma once

#include <memory>

#include "backends/kernel.h"
#include "ops/deconvolution.h"

namespace mxserve {
namespace cpu {

/// A deconvolution of `a`'s inputs (data, weight, [bias]) as described by `p`; the weight must
/// be a parameter. Throws kUnsupported for other data types than float32 and bfloat16.
std::unique_ptr<Kernel> CreateDeconvolutionKernel(const KernelArgs& a, const DeconvolutionParam& p);

}  // namespace cpu
}  // namespace mxserve
