// SPDX-License-Identifier: Apache-2.0
// Concat on CUDA: each input is a strided 2-D block copy (outer rows of its slice of the axis,
// in memory order: the channel axis of channels-last data is the last) into the output, for any
// dtype; one row, or rows wider than the 2-D copy's pitch limit, are plain copies.
// _rnn_param_concat (dim 0 only) is the one-row case.
#include "ops/concat.h"

#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_buffer.h"
#include "backends/layouts.h"
#include "base/error.h"
#include "ops/rnn.h"

namespace mxserve {
namespace cuda {
namespace {

class ConcatCuda final : public Kernel {
 public:
  /// Per input: bytes per outer row; the output row is the sum of them. Rows wider than
  /// max_pitch (the device's limit on cudaMemcpy2DAsync's pitches) are copied one at a time.
  ConcatCuda(int64_t outer, std::vector<size_t> row_bytes, size_t max_pitch)
      : outer_(outer), row_bytes_(std::move(row_bytes)), max_pitch_(max_pitch) {
    for (size_t b : row_bytes_) out_row_ += b;
  }
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    char* y = static_cast<char*>(args.out[0]);
    size_t offset = 0;
    for (size_t i = 0; i < row_bytes_.size(); ++i) {
      const char* x = static_cast<const char*>(args.in[i]);
      const size_t w = row_bytes_[i];
      if (w != 0 && (outer_ == 1 || out_row_ > max_pitch_)) {
        for (int64_t o = 0; o < outer_; ++o)
          MXS_CUDA_CHECK(cudaMemcpyAsync(y + o * out_row_ + offset, x + o * w, w,
                                         cudaMemcpyDeviceToDevice, s));
      } else if (w != 0 && outer_ != 0) {
        MXS_CUDA_CHECK(cudaMemcpy2DAsync(y + offset, out_row_, x, w, w, outer_,
                                         cudaMemcpyDeviceToDevice, s));
      }
      offset += w;
    }
  }
  std::string Describe() const override { return "cuda:concat"; }

 private:
  int64_t outer_;
  std::vector<size_t> row_bytes_;
  size_t max_pitch_;
  size_t out_row_ = 0;
};

/// The widest pitch cudaMemcpy2DAsync takes on the current device.
size_t MaxPitch() {
  int pitch = 0;
  MXS_CUDA_CHECK(cudaDeviceGetAttribute(&pitch, cudaDevAttrMaxPitch, CurrentDevice()));
  return static_cast<size_t>(pitch);
}

std::unique_ptr<Kernel> CreateConcat(const KernelArgs& a) {
  const auto& p = a.param<ConcatParam>();
  const Shape& out = a.out[0].shape;
  const Layout layout = a.out[0].layout;
  const int axis = p.flatten ? 0 : NormalizeAxis(p.dim, out.ndim());
  const int64_t outer = p.flatten ? 1 : MemorySplit(out, axis, layout).outer;
  const size_t elem = DTypeSize(a.out[0].dtype);
  std::vector<size_t> rows;
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == a.out[0].dtype, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": inputs of different dtypes";
    MXS_CHECK_CODE(t.layout == layout, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": inputs of different layouts";
    int64_t n = t.shape.Size();
    if (!p.flatten) {
      const AxisSplit split = MemorySplit(t.shape, axis, t.layout);
      n = split.n * split.inner;
    }
    rows.push_back(static_cast<size_t>(n) * elem);
  }
  return std::make_unique<ConcatCuda>(outer, std::move(rows), MaxPitch());
}

/// _rnn_param_concat: the inputs' bytes one after another (its shape inference takes dim 0 only).
std::unique_ptr<Kernel> CreateParamConcat(const KernelArgs& a) {
  std::vector<size_t> bytes;
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == a.out[0].dtype, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": inputs of different dtypes";
    bytes.push_back(t.nbytes());
  }
  return std::make_unique<ConcatCuda>(1, std::move(bytes), MaxPitch());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, concat) {
  r.Add("Concat", cuda::Adapted(cuda::CreateConcat), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_rnn_param_concat", cuda::CreateParamConcat).DTypes(dtypes::kAny);
}

}  // namespace mxserve
