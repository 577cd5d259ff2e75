// SPDX-License-Identifier: Apache-2.0
// The oneDNN CPU engine, the per-context stream and the helpers every CPU kernel uses: oneDNN
// descriptors of TensorDescs, bind-time reorders, weight-cache keys and error translation.
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

/// A new buffer holding a copy of `bytes` bytes at `src` (weights computed at bind time).
Buffer CopyToBuffer(const void* src, size_t bytes);

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

/// oneDNN eltwise algorithm by name ("relu", "logistic", "tanh", "soft_relu", "clip", "elu",
/// "gelu_erf", "swish", "mish"...); throws kUnsupported for other names.
dnnl::algorithm EltwiseAlgorithm(const std::string& name);

/// Primitive attributes every mxserve kernel uses: user scratchpad.
dnnl::primitive_attr DefaultAttr();

}  // namespace cpu
}  // namespace mxserve
