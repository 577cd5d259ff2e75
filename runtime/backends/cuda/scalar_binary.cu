// SPDX-License-Identifier: Apache-2.0
// Binary ops with a scalar operand (_plus_scalar, _rminus_scalar, _npi_*_scalar...) on
// float32 / float16 / bfloat16 data whose output keeps the input's dtype.
#include "ops/scalar_binary.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/binary_fn.cuh"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename T>
__global__ void ScalarKernel(BinaryFn f, bool reverse, float scalar, const T* x, T* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) {
    const float v = Load(x, i);
    Store(y, i, reverse ? ApplyBinary(f, scalar, v) : ApplyBinary(f, v, scalar));
  }
}

class ScalarBinaryCuda final : public Kernel {
 public:
  ScalarBinaryCuda(ScalarFn f, float scalar, DType t, int64_t n)
      : f_(f), scalar_(scalar), t_(t), n_(n) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       ScalarKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           f_.fn, f_.reverse, scalar_, static_cast<const T*>(args.in[0]),
                           static_cast<T*>(args.out[0]), n_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:scalar"; }

 private:
  ScalarFn f_;
  float scalar_;
  DType t_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateScalarBinary(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.out[0].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 data with the same output dtype";
  const auto& p = a.param<ScalarBinaryParam>();
  return std::make_unique<ScalarBinaryCuda>(ScalarBinaryFnOf(a.node.def->name()),
                                            static_cast<float>(p.scalar), t,
                                            a.in[0].shape.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, scalar_binary) {
  for (const std::string& op : ScalarBinaryOpNames())
    r.Add(op, cuda::Adapted(cuda::CreateScalarBinary), Backend::kSameLayout,
          cuda::kReducedSameType)
        .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
