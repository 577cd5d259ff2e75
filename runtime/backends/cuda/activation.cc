// SPDX-License-Identifier: Apache-2.0
// Activation (relu, sigmoid, log_sigmoid, mish, tanh, softrelu, softsign) as one element-wise
// CUDA launch.
#include "ops/activation.h"

#include <map>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/eltwise_kernel.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

std::unique_ptr<Kernel> CreateActivation(const KernelArgs& a) {
  const auto& p = a.param<ActivationParam>();
  static const std::map<std::string, EltAlg> kTable = {
      {"relu", EltAlg::kRelu},         {"sigmoid", EltAlg::kLogistic},
      {"log_sigmoid", EltAlg::kLogSigmoid}, {"mish", EltAlg::kMish},
      {"tanh", EltAlg::kTanh},         {"softrelu", EltAlg::kSoftRelu},
      {"softsign", EltAlg::kSoftsign},
  };
  auto it = kTable.find(p.act_type);
  MXS_CHECK_CODE(it != kTable.end(), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": act_type " << p.act_type << " on CUDA";
  Epilogue e;
  e.Append(EltStep{0, it->second, 0.f, 0.f});
  return MakeEltwise(a, e, p.act_type);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, activation) {
  r.Add("Activation", cuda::Adapted(cuda::CreateActivation), Backend::kSameLayout,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
