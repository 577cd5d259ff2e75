// SPDX-License-Identifier: Apache-2.0
// Embedding as a row gather: one memcpy of output_dim elements per index. Indices are clipped to
// [0, input_dim - 1] as MXNet's CPU kernel (TakeZeroAxisCPU with clip) does.
#include "ops/embedding.h"

#include <cstring>

#include "backends/backend.h"
#include "base/error.h"
#include "ops/index_math.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename I>
class EmbeddingKernel final : public Kernel {
 public:
  EmbeddingKernel(int64_t count, int64_t rows, size_t row_bytes)
      : count_(count), rows_(rows), row_bytes_(row_bytes) {}

  void Run(const RunArgs& args) const override {
    const I* idx = static_cast<const I*>(args.in[0]);
    const char* w = static_cast<const char*>(args.in[1]);
    char* y = static_cast<char*>(args.out[0]);
#pragma omp parallel for if (count_ * static_cast<int64_t>(row_bytes_) > (1 << 16))
    for (int64_t i = 0; i < count_; ++i) {
      const int64_t j = EmbeddingRow(ToIndex(idx[i]), rows_);
      std::memcpy(y + i * row_bytes_, w + j * row_bytes_, row_bytes_);
    }
  }
  std::string Describe() const override { return "ref:gather_rows"; }

 private:
  static int64_t ToIndex(I v) {
    if constexpr (std::is_same_v<I, uint16_t>) {
      return TruncIndex(HalfToFloat(v));
    } else if constexpr (std::is_floating_point_v<I>) {
      return EmbeddingFloatIndex(v);
    } else {
      return static_cast<int64_t>(v);
    }
  }

  int64_t count_;      ///< number of indices
  int64_t rows_;       ///< input_dim
  size_t row_bytes_;   ///< bytes of one weight row
};

std::unique_ptr<Kernel> CreateEmbedding(const KernelArgs& a) {
  const auto& p = a.param<EmbeddingParam>();
  const int64_t count = a.in[0].shape.Size();
  const size_t row_bytes = static_cast<size_t>(p.output_dim) * DTypeSize(a.in[1].dtype);
  switch (a.in[0].dtype) {
    case DType::kFloat32:
      return std::make_unique<EmbeddingKernel<float>>(count, p.input_dim, row_bytes);
    case DType::kFloat64:
      return std::make_unique<EmbeddingKernel<double>>(count, p.input_dim, row_bytes);
    case DType::kFloat16:
      return std::make_unique<EmbeddingKernel<uint16_t>>(count, p.input_dim, row_bytes);
    case DType::kInt32:
      return std::make_unique<EmbeddingKernel<int32_t>>(count, p.input_dim, row_bytes);
    case DType::kInt64:
      return std::make_unique<EmbeddingKernel<int64_t>>(count, p.input_dim, row_bytes);
    case DType::kInt8:
      return std::make_unique<EmbeddingKernel<int8_t>>(count, p.input_dim, row_bytes);
    case DType::kUint8:
      return std::make_unique<EmbeddingKernel<uint8_t>>(count, p.input_dim, row_bytes);
    default:
      MXS_THROW(kUnsupported) << "indices of dtype " << DTypeName(a.in[0].dtype) << " are not supported";
  }
}

}  // namespace
}  // namespace cpu

// The indices (input 0) in any dtype the switch above reads; the weight's rows are copied as bytes.
MXS_REGISTER_KERNELS(cpu, embedding) {
  r.Add("Embedding", cpu::CreateEmbedding)
      .DTypes(dtypes::kAny)
      .Input(0, {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kInt32, DType::kInt64,
                 DType::kInt8, DType::kUint8});
}

}  // namespace mxserve
