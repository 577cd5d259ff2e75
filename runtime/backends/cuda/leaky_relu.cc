// SPDX-License-Identifier: Apache-2.0
// LeakyReLU (leaky, elu, selu, gelu) as one element-wise CUDA launch. prelu and rrelu have no
// CUDA kernel: the planner runs them on the CPU backend.
#include "ops/leaky_relu.h"

#include "backends/backend.h"
#include "backends/cuda/eltwise_kernel.h"
#include "backends/cuda/registration.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateLeakyReLU(const KernelArgs& a) {
  const auto& p = a.param<LeakyReLUParam>();
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
  r.Add("LeakyReLU", cuda::CreateLeakyReLU).DTypes(cuda::kFloatData);
}

}  // namespace mxserve
