// SPDX-License-Identifier: Apache-2.0
// The cuDNN deconvolution kernel, shared by Deconvolution and UpSampling's bilinear mode (a
// grouped deconvolution with the parameters ops/upsampling.h derives).
#pragma once

#include <memory>

#include "backends/kernel.h"
#include "ops/deconvolution.h"

namespace mxserve {
namespace cuda {

/// The kernel of a deconvolution with parameters `p` on inputs data, weight (and bias unless
/// p.no_bias); throws kUnsupported for what it does not run.
std::unique_ptr<Kernel> CreateDeconvolutionKernel(const KernelArgs& a,
                                                  const DeconvolutionParam& p);

}  // namespace cuda
}  // namespace mxserve
