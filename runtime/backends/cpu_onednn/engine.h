// SPDX-License-Identifier: Apache-2.0
// The oneDNN CPU engine, the per-context stream, descriptor helpers and PrimitiveKernel, the
// base of every kernel that runs a single oneDNN primitive.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/kernel.h"
#include "base/buffer.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {

/// The process-wide CPU engine.
const dnnl::engine& Engine();

/// Execution-context state of the CPU backend: one in-order oneDNN stream.
class CpuStream final : public Stream {
 public:
  CpuStream() : stream_(Engine()) {}
  dnnl::stream& get() { return stream_; }

 private:
  dnnl::stream stream_;
};

dnnl::memory::data_type ToDnnl(DType dtype);
dnnl::memory::dims ToDims(const Shape& shape);
/// Format tag of a plain tensor of `ndim` dimensions in `layout`.
dnnl::memory::format_tag PlainTag(int ndim, Layout layout);
/// `t` relabelled with `layout` when it has a single spatial position (N, C, 1, 1): its bytes are
/// the same in every layout, so a primitive may keep its source's layout for it.
TensorDesc SinglePositionAs(const TensorDesc& t, Layout layout);
/// oneDNN descriptor of a TensorDesc (logical dims, physical layout).
dnnl::memory::desc ToMemDesc(const TensorDesc& t);
dnnl::memory::desc ToMemDesc(const Shape& shape, DType dtype, Layout layout = Layout::kRowMajor);

/// Reorders `src` (described by src_md) into a new buffer described by dst_md; used at bind time.
Buffer ReorderToBuffer(const void* src, const dnnl::memory::desc& src_md,
                       const dnnl::memory::desc& dst_md);

/// WeightCache key of parameter `w` converted to `md` (dims, dtype and blocking).
std::string WeightKey(const NDArray& w, const dnnl::memory::desc& md);

/// Runs `fn`, turning a dnnl::error into an Error(kDevice) that names `what`.
template <typename Fn>
auto CallOneDnn(const std::string& what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    throw Error(ErrorCode::kDevice, what + ": oneDNN error: " + e.what());
  }
}

/// Where a primitive argument's data comes from at run time.
struct PrimitiveArg {
  enum class Source { kInput, kOutput, kConstant };
  int dnnl_arg;                              ///< DNNL_ARG_SRC, DNNL_ARG_WEIGHTS...
  dnnl::memory::desc desc;                   ///< the primitive's descriptor of the argument
  Source source;                             ///< where the pointer comes from
  int index = 0;                             ///< input or output index for kInput / kOutput
  std::shared_ptr<const Buffer> constant;    ///< the data for kConstant (prepacked weights)
};

/// A kernel that executes one oneDNN primitive. The primitive uses a user-provided scratchpad,
/// so one primitive can run concurrently in several execution contexts.
class PrimitiveKernel : public Kernel {
 public:
  PrimitiveKernel(const std::string& node_desc, dnnl::primitive prim,
                  const dnnl::primitive_desc_base& pd, std::vector<PrimitiveArg> args);
  void Run(const RunArgs& args) const override;
  size_t ScratchpadBytes() const override { return scratchpad_md_.get_size(); }
  std::unique_ptr<KernelState> CreateState() const override;
  std::string Describe() const override { return impl_; }

 private:
  std::string node_desc_;
  dnnl::primitive prim_;
  std::vector<PrimitiveArg> args_;
  dnnl::memory::desc scratchpad_md_;
  std::string impl_;
};

/// Lets a row-major float32 kernel run on channels-last or bfloat16 activations: returns `inner`
/// unchanged when every input and output of `a` is row-major and not bfloat16, else a kernel that
/// reorders the other inputs into its scratchpad (bfloat16 becoming float32), runs `inner` there,
/// and reorders the outputs back. `inner` must be built for the row-major float32 descriptions.
std::unique_ptr<Kernel> AdaptToLayouts(std::unique_ptr<Kernel> inner, const KernelArgs& a);

/// Wraps a kernel of `num_inputs` inputs (at most 6) so that input 0, planned as `from`, is
/// first reordered into `to` (another format or dtype) in the scratchpad.
std::unique_ptr<Kernel> StageInput(std::unique_ptr<Kernel> inner, int num_inputs, const dnnl::memory::desc& from,
                                   const dnnl::memory::desc& to);

/// oneDNN eltwise algorithm by name ("relu", "logistic", "tanh", "soft_relu", "clip", "elu",
/// "gelu_erf", "swish", "mish"...); throws kUnsupported for other names.
dnnl::algorithm EltwiseAlgorithm(const std::string& name);

/// Primitive attributes every mxserve kernel uses: user scratchpad.
dnnl::primitive_attr DefaultAttr();

}  // namespace cpu
}  // namespace mxserve
