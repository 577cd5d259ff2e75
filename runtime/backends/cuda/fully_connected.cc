// SPDX-License-Identifier: Apache-2.0
// FullyConnected and float32 _sg_mkldnn_fully_connected on cuBLAS, one kernel: data (m, k) times
// the weight (n, k) transposed, then the bias and the post-ops fused by
// passes/fuse_fully_connected.cc in one element-wise epilogue.
#include "ops/fully_connected.h"
#include "ops/fused_fully_connected.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_weights.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/eltwise.h"
#include "backends/cuda/gemm.h"
#include "backends/cuda/gemm_plans.h"
#include "backends/cuda/math_mode.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

class FullyConnectedCuda final : public Kernel {
 public:
  FullyConnectedCuda(const KernelArgs& a, const FusedFullyConnectedParam& fused) {
    const FullyConnectedParam& p = fused.fc;
    const std::string what = "failed to plan " + NodeDesc(a.node);
    MXS_CHECK_CODE(!fused.quantized, kUnsupported)
        << what << ": the CUDA backend runs float _sg_mkldnn_fully_connected nodes only";
    dtype_ = a.in[0].dtype;
    g_ = FullyConnectedGemm(p, a.in[0].shape);
    g_.tf32 = Tf32Requested();
    CheckGemm(g_, dtype_, what.c_str());
    // The planner has the parameters on the device; a float16 copy of the weight is made here.
    if (a.in[1].dtype != dtype_) {
      MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
          << what << ": a computed weight of another dtype than the data";
      weight_ = UploadWeight(a, *a.constants[1], CurrentDevice(), UploadSpec{dtype_, {}, ""});
    }
    if (!p.no_bias) {
      MXS_CHECK_CODE(a.in[2].dtype == DType::kFloat32, kUnsupported)
          << what << ": the bias must be float32";
      has_bias_ = true;
    }
    epilogue_ = EpilogueOf(fused.post_ops);
  }

  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    const void* w = weight_.data() != nullptr ? weight_.data() : args.in[1];
    Gemm(s, dtype_, g_, args.in[0], w, args.out[0]);
    if (!has_bias_ && epilogue_.empty()) return;
    AffineEltwiseArgs e;
    e.dtype = dtype_;
    e.x = args.out[0];
    e.y = args.out[0];
    e.n = g_.m * g_.n;
    e.channels = g_.n;
    e.inner = 1;
    if (has_bias_) e.shift = static_cast<const float*>(args.in[2]);
    e.epilogue = epilogue_;
    AffineEltwise(e, s.get());
  }
  std::string Describe() const override { return "cublas:gemm"; }
  bool ReadsInput(size_t i) const override { return i != 1 || weight_.data() == nullptr; }

 private:
  DType dtype_ = DType::kFloat32;
  GemmShape g_;
  DeviceMemory weight_;  ///< a converted copy of the weight, or empty
  bool has_bias_ = false;
  Epilogue epilogue_;
};

std::unique_ptr<Kernel> CreateFullyConnected(const KernelArgs& a) {
  return std::make_unique<FullyConnectedCuda>(a, FusedFullyConnectedParam::Of(a.param<FullyConnectedParam>()));
}

std::unique_ptr<Kernel> CreateFusedFullyConnected(const KernelArgs& a) {
  return std::make_unique<FullyConnectedCuda>(a, a.param<FusedFullyConnectedParam>());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, fully_connected) {
  r.Add("FullyConnected", cuda::Adapted(cuda::CreateFullyConnected), Backend::kRowMajorOnly,
        cuda::kReducedConverting);
  r.Add("_sg_mkldnn_fully_connected", cuda::Adapted(cuda::CreateFusedFullyConnected),
        Backend::kRowMajorOnly, cuda::kReducedConverting);
}

}  // namespace mxserve
