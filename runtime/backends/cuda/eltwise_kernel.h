// SPDX-License-Identifier: Apache-2.0
// EltwiseKernel: a Kernel that runs one AffineEltwise launch (activations, clip, leaky ReLU,
// inference BatchNorm), with per-channel factors uploaded at bind time.
#pragma once

#include <memory>
#include <string>

#include "backends/device_memory.h"
#include "backends/cuda/eltwise.h"
#include "backends/kernel.h"

namespace mxserve {
namespace cuda {

class EltwiseKernel final : public Kernel {
 public:
  /// `base` describes the launch except the data pointers; scale and shift (if given) are
  /// device arrays owned by the kernel.
  EltwiseKernel(const AffineEltwiseArgs& base, DeviceMemory scale, DeviceMemory shift,
                std::string name);
  void Run(const RunArgs& args) const override;
  std::string Describe() const override { return "cuda:" + name_; }
  /// Only the data: BatchNorm's parameters are folded into scale and shift at bind.
  bool ReadsInput(size_t i) const override { return i == 0; }

 private:
  AffineEltwiseArgs base_;
  DeviceMemory scale_, shift_;
  std::string name_;
};

/// Checks that a node's data is float32, float16 or bfloat16, the same for input and output.
DType EltwiseDType(const KernelArgs& a);

/// An element-wise kernel applying `epilogue` to input 0.
std::unique_ptr<Kernel> MakeEltwise(const KernelArgs& a, const Epilogue& epilogue,
                                    const std::string& name);

}  // namespace cuda
}  // namespace mxserve
