// SPDX-License-Identifier: Apache-2.0
// LeakyReLU (leaky, elu, selu, gelu, prelu) as one element-wise CUDA launch, in either layout.
// prelu reads its slopes from gamma (input 1, float32) at run time: one slope, or one per
// channel (data axis 1); a gamma that varies over the batch, and rrelu, run on the CPU backend.
#include "ops/leaky_relu.h"

#include "backends/backend.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/eltwise_kernel.h"
#include "backends/cuda/registration.h"
#include "backends/layouts.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

class PReluCuda final : public Kernel {
 public:
  explicit PReluCuda(const AffineEltwiseArgs& base) : base_(base) {}
  void Run(const RunArgs& args) const override {
    AffineEltwiseArgs a = base_;
    a.x = args.in[0];
    a.y = args.out[0];
    a.prelu_slope = static_cast<const float*>(args.in[1]);
    AffineEltwise(a, StreamOf(args).get());
  }
  std::string Describe() const override { return "cuda:prelu"; }

 private:
  AffineEltwiseArgs base_;
};

std::unique_ptr<Kernel> CreatePRelu(const KernelArgs& a) {
  const Shape& data = a.in[0].shape;
  const PReluGamma g = PReluGammaOf(data, a.in[1].shape);
  MXS_CHECK_CODE(g.ok && g.batch == 1 && a.in[1].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA prelu takes a float32 gamma of one "
      << "slope or one per channel, not " << a.in[1].shape.ToString() << " ("
      << DTypeName(a.in[1].dtype) << ") for data " << data.ToString();
  AffineEltwiseArgs base;
  base.dtype = EltwiseDType(a);
  base.n = data.Size();
  base.epilogue.Append(EltStep{0, EltAlg::kPrelu, 0.f, 0.f});
  // One slope: every element is channel 0. Per channel: the channel axis in memory order.
  if (g.channels > 1) {
    const AxisSplit split = MemorySplit(data, 1, a.in[0].layout);
    base.channels = split.n;
    base.inner = split.inner;
  }
  return std::make_unique<PReluCuda>(base);
}

std::unique_ptr<Kernel> CreateLeakyReLU(const KernelArgs& a) {
  const auto& p = a.param<LeakyReLUParam>();
  if (p.act_type == "prelu") return CreatePRelu(a);
  EltStep s;
  if (p.act_type == "leaky") s = EltStep{0, EltAlg::kRelu, p.slope, 0.f};
  else if (p.act_type == "elu") s = EltStep{0, EltAlg::kElu, p.slope, 0.f};
  else if (p.act_type == "selu") s = EltStep{0, EltAlg::kSelu, 0.f, 0.f};
  else if (p.act_type == "gelu") s = EltStep{0, EltAlg::kGeluErf, 0.f, 0.f};
  else
    MXS_THROW(kUnsupported) << "failed to plan " << NodeDesc(a.node) << ": act_type "
                            << p.act_type << " has no CUDA kernel";
  Epilogue e;
  e.Append(s);
  return MakeEltwise(a, e, p.act_type);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, leaky_relu) {
  r.Add("LeakyReLU", cuda::Adapted(cuda::CreateLeakyReLU), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
