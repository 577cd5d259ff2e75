// SPDX-License-Identifier: Apache-2.0
// Embedding on CUDA: one thread per output element copies it from the weight row its index
// names, the weight's elements moved as 1, 2, 4 or 8 bytes. Indices convert as the CPU kernel
// converts them (floats truncated towards zero) and are clipped to [0, input_dim - 1].
#include "ops/embedding.h"

#include <cstdint>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"
#include "ops/index_math.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename I>
__device__ __forceinline__ int64_t ToIndex(I v) {
  return static_cast<int64_t>(v);
}
template <>
__device__ __forceinline__ int64_t ToIndex(float v) {
  return EmbeddingFloatIndex(v);
}
template <>
__device__ __forceinline__ int64_t ToIndex(double v) {
  return EmbeddingFloatIndex(v);
}
/// A float16 index truncated as on x86-64; a non-finite one gives INT64_MIN and so row 0.
template <>
__device__ __forceinline__ int64_t ToIndex(__half v) {
  return TruncIndex(__half2float(v));
}

struct Gather {
  int64_t n = 0;     ///< output elements
  int64_t dim = 1;   ///< output_dim
  int64_t rows = 1;  ///< input_dim
};

/// E: an unsigned integer of the weight element's size.
template <typename I, typename E>
__global__ void EmbeddingKernel(const I* idx, const E* w, E* y, Gather g) {
  MXS_GRID_STRIDE(i, g.n) {
    const int64_t j = EmbeddingRow(ToIndex(idx[i / g.dim]), g.rows);
    y[i] = w[j * g.dim + i % g.dim];
  }
}

class EmbeddingCuda final : public Kernel {
 public:
  EmbeddingCuda(const Gather& g, DType index_dtype, size_t elem)
      : g_(g), index_dtype_(index_dtype), elem_(elem) {}
  void Run(const RunArgs& args) const override {
    switch (index_dtype_) {
      case DType::kFloat32: ByElem<float>(args); break;
      case DType::kFloat64: ByElem<double>(args); break;
      case DType::kFloat16: ByElem<__half>(args); break;
      case DType::kInt32: ByElem<int32_t>(args); break;
      case DType::kInt64: ByElem<int64_t>(args); break;
      case DType::kInt8: ByElem<int8_t>(args); break;
      default: ByElem<uint8_t>(args); break;
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:embedding"; }

 private:
  template <typename I>
  void ByElem(const RunArgs& args) const {
    switch (elem_) {
      case 1: Launch<I, uint8_t>(args); break;
      case 2: Launch<I, uint16_t>(args); break;
      case 4: Launch<I, uint32_t>(args); break;
      default: Launch<I, uint64_t>(args); break;
    }
  }
  template <typename I, typename E>
  void Launch(const RunArgs& args) const {
    EmbeddingKernel<<<GridFor(g_.n), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const I*>(args.in[0]), static_cast<const E*>(args.in[1]),
        static_cast<E*>(args.out[0]), g_);
  }

  Gather g_;
  DType index_dtype_;
  size_t elem_;
};

std::unique_ptr<Kernel> CreateEmbedding(const KernelArgs& a) {
  const auto& p = a.param<EmbeddingParam>();
  const DType w = a.in[1].dtype;
  const size_t elem = DTypeSize(w);
  MXS_CHECK_CODE(a.out[0].dtype == w && (elem == 1 || elem == 2 || elem == 4 || elem == 8),
                 kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA Embedding needs an output of the "
      << "weight's dtype, of 1, 2, 4 or 8 bytes";
  const DType t = a.in[0].dtype;
  const bool index_ok = t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
                        t == DType::kInt32 || t == DType::kInt64 || t == DType::kInt8 ||
                        t == DType::kUint8;
  MXS_CHECK_CODE(index_ok, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": indices of dtype " << DTypeName(t)
      << " have no CUDA kernel";
  Gather g;
  g.dim = p.output_dim;
  g.rows = p.input_dim;
  g.n = a.in[0].shape.Size() * p.output_dim;
  return std::make_unique<EmbeddingCuda>(g, t, elem);
}

}  // namespace
}  // namespace cuda

// The indices (input 0) in the dtypes the CPU kernel reads; the weight's elements are moved as
// bytes.
MXS_REGISTER_KERNELS(cuda, embedding) {
  r.Add("Embedding", cuda::CreateEmbedding)
      .DTypes(dtypes::kAny)
      .Input(0, {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kInt32, DType::kInt64,
                 DType::kInt8, DType::kUint8});
}

}  // namespace mxserve
