// SPDX-License-Identifier: Apache-2.0
// Backend: the set of kernels for one device kind. The CPU backend's kernels are the files in
// backends/cpu_onednn/, listed into kernel_registry_cpu.inc by CMake when they exist.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "backends/kernel.h"

namespace mxserve {

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelArgs&)>;

class Backend {
 public:
  virtual ~Backend() = default;
  /// Device name as in error messages ("cpu(0)").
  virtual std::string device() const = 0;
  virtual std::unique_ptr<Stream> CreateStream() const = 0;

  bool Supports(const std::string& op) const { return factories_.count(op) != 0; }
  /// Which layouts a kernel handles besides row-major.
  enum LayoutSupport {
    kRowMajorOnly,  ///< every input and output must be row-major
    kSameLayout,    ///< channels-last too, when its activations all share one layout
    kAnyLayout,     ///< any mix: each input and output may have its own layout
  };
  LayoutSupport layout_support(const std::string& op) const {
    auto it = layouts_.find(op);
    return it == layouts_.end() ? kRowMajorOnly : it->second;
  }
  /// Creates the kernel of args.node; throws kUnsupported when the backend has none.
  std::unique_ptr<Kernel> CreateKernel(const KernelArgs& args) const;
  /// Registers the factory for a canonical operator name; used by RegisterKernels_* functions.
  /// Which activation dtypes a kernel handles in bfloat16 mode.
  enum PrecisionSupport {
    kFloat32Only,     ///< float32 activations only
    kBf16SameType,    ///< bfloat16 too, when all its float activations share one dtype
    kBf16Converting,  ///< computes in bfloat16 and converts each input and output as planned
  };
  PrecisionSupport precision_support(const std::string& op) const {
    auto it = precisions_.find(op);
    return it == precisions_.end() ? kFloat32Only : it->second;
  }
  /// True when the device runs bfloat16 arithmetic natively (AVX512-BF16 or AMX on CPU).
  virtual bool SupportsBfloat16() const = 0;
  /// Anything but kRowMajorOnly promises that the kernel honours the layout of every TensorDesc;
  /// anything but kFloat32Only that it honours the dtype.
  void Add(const std::string& op, KernelFactory factory, LayoutSupport layouts = kRowMajorOnly,
           PrecisionSupport precision = kFloat32Only);

 private:
  std::map<std::string, KernelFactory> factories_;
  std::map<std::string, LayoutSupport> layouts_;
  std::map<std::string, PrecisionSupport> precisions_;
};

/// The oneDNN CPU backend (process-wide).
const Backend& CpuBackend();

}  // namespace mxserve

/// Defines the registration function of backends/<dir>/<file>.cc.
#define MXS_REGISTER_KERNELS(backend, file) \
  void RegisterKernels_##backend##_##file(::mxserve::Backend& r)
