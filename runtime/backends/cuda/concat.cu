// SPDX-License-Identifier: Apache-2.0
// Concat on CUDA: each input is a strided 2-D block copy (outer rows of its slice of the axis)
// into the output, for any dtype. _rnn_param_concat (dim 0 only) is the one-row case.
#include "ops/concat.h"

#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "base/error.h"
#include "ops/rnn.h"

namespace mxserve {
namespace cuda {
namespace {

class ConcatCuda final : public Kernel {
 public:
  /// Per input: bytes per outer row; the output row is the sum of them.
  ConcatCuda(int64_t outer, std::vector<size_t> row_bytes)
      : outer_(outer), row_bytes_(std::move(row_bytes)) {
    for (size_t b : row_bytes_) out_row_ += b;
  }
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    size_t offset = 0;
    for (size_t i = 0; i < row_bytes_.size(); ++i) {
      if (row_bytes_[i] != 0 && outer_ != 0)
        MXS_CUDA_CHECK(cudaMemcpy2DAsync(static_cast<char*>(args.out[0]) + offset, out_row_,
                                         args.in[i], row_bytes_[i], row_bytes_[i], outer_,
                                         cudaMemcpyDeviceToDevice, s));
      offset += row_bytes_[i];
    }
  }
  std::string Describe() const override { return "cuda:concat"; }

 private:
  int64_t outer_;
  std::vector<size_t> row_bytes_;
  size_t out_row_ = 0;
};

std::unique_ptr<Kernel> CreateConcat(const KernelArgs& a) {
  const auto& p = a.param<ConcatParam>();
  const Shape& out = a.out[0].shape;
  const int axis = p.flatten ? 0 : NormalizeAxis(p.dim, out.ndim());
  const int64_t outer = p.flatten ? 1 : ShapeProduct(out, 0, axis);
  const size_t elem = DTypeSize(a.out[0].dtype);
  std::vector<size_t> rows;
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == a.out[0].dtype, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": inputs of different dtypes";
    const int64_t n = p.flatten ? t.shape.Size() : ShapeProduct(t.shape, axis, t.shape.ndim());
    rows.push_back(static_cast<size_t>(n) * elem);
  }
  return std::make_unique<ConcatCuda>(outer, std::move(rows));
}

/// _rnn_param_concat: the inputs' bytes one after another (its shape inference takes dim 0 only).
std::unique_ptr<Kernel> CreateParamConcat(const KernelArgs& a) {
  std::vector<size_t> bytes;
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == a.out[0].dtype, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": inputs of different dtypes";
    bytes.push_back(t.nbytes());
  }
  return std::make_unique<ConcatCuda>(1, std::move(bytes));
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, concat) {
  r.Add("Concat", cuda::Adapted(cuda::CreateConcat), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(dtypes::kAny);
  r.Add("_rnn_param_concat", cuda::CreateParamConcat).DTypes(dtypes::kAny);
}

}  // namespace mxserve
