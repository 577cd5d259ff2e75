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
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/gemm.h"
#include "backends/cuda/gemm_plans.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/math_mode.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

class MatmulCuda final : public Kernel {
 public:
  MatmulCuda(DType dtype, const GemmShape& g) : dtype_(dtype), g_(g) {
    g_.tf32 = Tf32Requested();
  }
  void Run(const RunArgs& args) const override {
    Gemm(StreamOf(args), dtype_, g_, args.in[0], args.in[1], args.out[0]);
  }
  std::string Describe() const override { return "cublas:matmul"; }

 private:
  DType dtype_;
  GemmShape g_;
};

std::unique_ptr<Kernel> CreateMatmul(const KernelArgs& a) {
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(a.in[1].dtype == t && a.out[0].dtype == t, kUnsupported)
      << what << ": mixed dtypes";
  const MatmulGeometry geo = MatmulShapes(a.in[0].shape, a.in[1].shape);
  GemmShape g;
  const bool strided = MatmulGemm(geo, &g);
  // An empty product or contraction reads no operand, so how its batch axes broadcast does not
  // matter: Gemm writes nothing or zeros.
  MXS_CHECK_CODE(strided || g.k == 0 || a.out[0].nbytes() == 0, kUnsupported)
      << what << ": batch axes of " << a.in[0].shape.ToString() << " and "
      << a.in[1].shape.ToString() << " broadcast partly, which has no CUDA kernel";
  CheckGemm(g, t, what.c_str());
  return std::make_unique<MatmulCuda>(t, g);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, matmul) {
  r.Add("_npi_matmul", cuda::Adapted(cuda::CreateMatmul), Backend::kRowMajorOnly,
        cuda::kReducedConverting);
}

}  // namespace mxserve
