// SPDX-License-Identifier: Apache-2.0
// _npi_matmul on cuBLAS strided-batched GEMM (gemm.h): the batch axes of each operand must be
// the product's own batch axes or all of size 1 (shared by every product, stride 0); other
// broadcasts have no CUDA kernel. A shared right operand folds the batch into the rows of one
// GEMM. A zero-length contraction writes zeros.
#include "ops/matmul.h"

#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/gemm.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

class MatmulCuda final : public Kernel {
 public:
  /// zero_bytes > 0: the contraction is empty and the output is that many zero bytes.
  MatmulCuda(DType dtype, const GemmShape& g, size_t zero_bytes)
      : dtype_(dtype), g_(g), zero_bytes_(zero_bytes) {}
  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    if (zero_bytes_ > 0) {
      MXS_CUDA_CHECK(cudaMemsetAsync(args.out[0], 0, zero_bytes_, s.get()));
      return;
    }
    if (g_.batch * g_.m * g_.n == 0) return;
    Gemm(s, dtype_, g_, args.in[0], args.in[1], args.out[0]);
  }
  std::string Describe() const override { return "cublas:matmul"; }

 private:
  DType dtype_;
  GemmShape g_;
  size_t zero_bytes_;
};

/// Elements between batch items of an operand with batch axes `dims` (all but the last two) of
/// a product with batch axes `c`: the matrix size when they equal c's, 0 when all are 1, or -1.
int64_t BatchStride(const std::vector<int64_t>& dims, const std::vector<int64_t>& c) {
  const size_t nb = dims.size() - 2;
  bool same = true, shared = true;
  for (size_t i = 0; i < nb; ++i) {
    same = same && dims[i] == c[i];
    shared = shared && dims[i] == 1;
  }
  if (shared) return 0;
  return same ? dims[nb] * dims[nb + 1] : -1;
}

std::unique_ptr<Kernel> CreateMatmul(const KernelArgs& a) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(a.in[1].dtype == t && a.out[0].dtype == t, kUnsupported)
      << what << ": mixed dtypes";
  const MatmulGeometry geo = MatmulShapes(a.in[0].shape, a.in[1].shape);
  const size_t nd = geo.c_dims.size();
  GemmShape g;
  g.m = geo.c_dims[nd - 2];
  g.n = geo.c_dims[nd - 1];
  g.k = geo.a_dims[nd - 1];
  g.batch = 1;
  for (size_t i = 0; i + 2 < nd; ++i) g.batch *= geo.c_dims[i];
  const size_t out_bytes = a.out[0].nbytes();
  if (out_bytes > 0 && g.k == 0) return std::make_unique<MatmulCuda>(t, g, out_bytes);
  if (out_bytes == 0) {
    g.batch = 0;
    return std::make_unique<MatmulCuda>(t, g, 0);
  }
  const int64_t sa = BatchStride(geo.a_dims, geo.c_dims);
  const int64_t sb = BatchStride(geo.b_dims, geo.c_dims);
  MXS_CHECK_CODE(sa >= 0 && sb >= 0, kUnsupported)
      << what << ": batch axes of " << a.in[0].shape.ToString() << " and "
      << a.in[1].shape.ToString() << " broadcast partly, which has no CUDA kernel";
  if (sb == 0 && sa > 0) {
    // Every product shares B: the batch of A's matrices is one (batch * m, k) matrix.
    g.m *= g.batch;
    g.batch = 1;
  } else {
    g.stride_a = sa;
    g.stride_b = sb;
  }
  CheckGemm(g, t, what.c_str());
  return std::make_unique<MatmulCuda>(t, g, 0);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, matmul) {
  r.Add("_npi_matmul", cuda::Adapted(cuda::CreateMatmul), Backend::kRowMajorOnly,
        cuda::kReducedConverting);
}

}  // namespace mxserve
