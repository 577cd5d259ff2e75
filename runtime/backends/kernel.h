// SPDX-License-Identifier: Apache-2.0
// Kernel: the compiled form of one node on one backend. Kernels are created once at bind time,
// are immutable afterwards, and Run() may be called from many threads at once, each with its
// own per-call state and memory.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/dtype.h"
#include "base/ndarray.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

class WeightCache;

/// Physical order of a tensor's elements. Shapes are always logical (MXNet's NCHW).
enum class Layout : int {
  kRowMajor = 0,      ///< plain row-major in the logical dimension order
  kChannelsLast = 1,  ///< NHWC / NDHWC / NWC order of a logically channels-first tensor
};

/// Shape, dtype and layout of one tensor flowing between kernels.
struct TensorDesc {
  Shape shape;                         ///< logical shape
  DType dtype = DType::kFloat32;       ///< element type
  Layout layout = Layout::kRowMajor;   ///< physical order
  size_t nbytes() const { return ShapeBytes(shape, DTypeSize(dtype)); }
};

/// Backend state owned by one execution context (a oneDNN stream, a CUDA stream).
class Stream {
 public:
  virtual ~Stream() = default;
};

/// Mutable state one kernel keeps per execution context (e.g. memory objects to rebind).
class KernelState {
 public:
  virtual ~KernelState() = default;
};

/// Everything a kernel factory sees at bind time.
struct KernelArgs {
  const Node& node;                      ///< the node: name, op, parsed param
  std::vector<TensorDesc> in;            ///< input descriptions
  std::vector<TensorDesc> out;           ///< output descriptions
  std::vector<const NDArray*> constants; ///< per input: the bound parameter, or null if computed
  WeightCache* weights = nullptr;        ///< prepacked weights shared by predictors of one model
  DType compute_dtype = DType::kFloat32; ///< kBfloat16 in bfloat16 mode

  template <typename P>
  const P& param() const {
    return *static_cast<const P*>(node.param.get());
  }
};

/// What one call of Kernel::Run sees.
struct RunArgs {
  const void* const* in;   ///< input data, one pointer per input
  void* const* out;        ///< output data, one pointer per output
  void* scratchpad;        ///< ScratchpadBytes() bytes, owned by the execution context
  Stream* stream;          ///< the execution context's backend stream
  KernelState* state;      ///< this kernel's state in the execution context, or null
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  /// Computes the outputs; never allocates activation memory; const and thread-safe.
  virtual void Run(const RunArgs& args) const = 0;
  /// Temporary memory Run() needs.
  virtual size_t ScratchpadBytes() const { return 0; }
  /// Per-context state, created once per execution context; null if none is needed.
  virtual std::unique_ptr<KernelState> CreateState() const { return nullptr; }
  /// Implementation name for Predictor.info() (e.g. "brgconv:avx512_core").
  virtual std::string Describe() const { return "ref"; }
  /// False when Run never reads input `i`: a bound parameter the kernel transformed into its own
  /// copy at bind time (a folded, converted or repacked weight). A parameter no kernel reads is
  /// left off the device.
  virtual bool ReadsInput(size_t i) const { return true; }
};

}  // namespace mxserve
