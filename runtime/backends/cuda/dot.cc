// SPDX-License-Identifier: Apache-2.0
// dot and batch_dot on cuBLAS (transposes are cuBLAS operations, no copies), with the post-ops
// fused by passes/fuse_fully_connected.cc as an element-wise epilogue.
#include "ops/dot.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/eltwise.h"
#include "backends/cuda/gemm.h"
#include "backends/cuda/gemm_plans.h"
#include "backends/cuda/math_mode.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

class DotCuda final : public Kernel {
 public:
  DotCuda(const KernelArgs& a, const DotDims& d, bool batched) {
    const auto& p = a.param<DotParam>();
    dtype_ = a.out[0].dtype;
    // A float32 parameter operand of a float16 or bfloat16 product is converted once here.
    for (int i = 0; i < 2; ++i) {
      if (a.in[i].dtype == dtype_) continue;
      MXS_CHECK_CODE(a.constants[i] != nullptr && a.in[i].dtype == DType::kFloat32, kUnsupported)
          << "failed to plan " << NodeDesc(a.node) << ": mixed dtypes";
      converted_[i] =
          UploadWeight(a, *a.constants[i], CurrentDevice(), UploadSpec{dtype_, {}, ""});
    }
    g_ = DotGemm(p, d, batched);
    g_.tf32 = Tf32Requested();
    CheckGemm(g_, dtype_, ("failed to plan " + NodeDesc(a.node)).c_str());
    epilogue_ = EpilogueOf(p.post_ops);
  }
  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    if (g_.batch * g_.m * g_.n == 0) return;
    const void* x = converted_[0].data() != nullptr ? converted_[0].data() : args.in[0];
    const void* y = converted_[1].data() != nullptr ? converted_[1].data() : args.in[1];
    Gemm(s, dtype_, g_, x, y, args.out[0]);
    if (epilogue_.empty()) return;
    AffineEltwiseArgs e;
    e.dtype = dtype_;
    e.x = args.out[0];
    e.y = args.out[0];
    e.n = g_.batch * g_.m * g_.n;
    e.epilogue = epilogue_;
    AffineEltwise(e, s.get());
  }
  bool ReadsInput(size_t i) const override {
    return i >= 2 || converted_[i].data() == nullptr;
  }
  std::string Describe() const override { return "cublas:gemm"; }

 private:
  DType dtype_ = DType::kFloat32;
  GemmShape g_;
  DeviceMemory converted_[2];  ///< converted copies of parameter operands, or empty
  Epilogue epilogue_;
};

std::unique_ptr<Kernel> CreateDot(const KernelArgs& a) {
  const auto& p = a.param<DotParam>();
  return std::make_unique<DotCuda>(a, DotShapeOf(p, a.in[0].shape, a.in[1].shape), false);
}

std::unique_ptr<Kernel> CreateBatchDot(const KernelArgs& a) {
  const auto& p = a.param<DotParam>();
  return std::make_unique<DotCuda>(a, BatchDotShapeOf(p, a.in[0].shape, a.in[1].shape), true);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, dot) {
  r.Add("dot", cuda::Adapted(cuda::CreateDot), Backend::kRowMajorOnly, cuda::kReducedConverting);
  r.Add("batch_dot", cuda::Adapted(cuda::CreateBatchDot), Backend::kRowMajorOnly,
        cuda::kReducedConverting);
}

}  // namespace mxserve
