// SPDX-License-Identifier: Apache-2.0
// Broadcasting binary ops (broadcast_add..., _npi_add...) on float32 / float16 / bfloat16 data:
// one thread per output element, each operand indexed through its broadcast strides; every
// operand and the output in its own layout (channels-last activations of an SE block's scale).
#include "ops/broadcast_binary.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/binary_fn.cuh"
#include "backends/cuda/broadcast_strides.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cuda {
namespace {

template <typename T>
__global__ void BroadcastKernel(BinaryFn f, const T* a, const T* b, T* y, int64_t n,
                                BroadcastStrides s) {
  MXS_GRID_STRIDE(i, n) {
    int64_t ia, ib;
    BroadcastOperands(s, i, &ia, &ib);
    Store(y, i, ApplyBinary(f, Load(a, ia), Load(b, ib)));
  }
}

class BroadcastBinaryCuda final : public Kernel {
 public:
  BroadcastBinaryCuda(BinaryFn f, DType t, int64_t n, const BroadcastStrides& s)
      : f_(f), t_(t), n_(n), s_(s) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t st = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       BroadcastKernel<<<GridFor(n_), kThreads, 0, st>>>(
                           f_, static_cast<const T*>(args.in[0]),
                           static_cast<const T*>(args.in[1]), static_cast<T*>(args.out[0]), n_,
                           s_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:broadcast"; }

 private:
  BinaryFn f_;
  DType t_;
  int64_t n_;
  BroadcastStrides s_;
};

std::unique_ptr<Kernel> CreateBroadcastBinary(const KernelArgs& a) {
  const DType t = a.out[0].dtype;
  MXS_CHECK_CODE(IsFloatData(t) && a.in[0].dtype == t && a.in[1].dtype == t, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 or "
      << "bfloat16 operands of one dtype";
  const Shape& out = a.out[0].shape;
  const BroadcastStrides s = BroadcastStridesOf(a);
  return std::make_unique<BroadcastBinaryCuda>(BroadcastBinaryFnOf(a.node.def->name()), t,
                                               out.Size(), s);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, broadcast_binary) {
  for (const std::string& op : BroadcastBinaryOpNames())
    r.Add(op, cuda::Adapted(cuda::CreateBroadcastBinary), Backend::kAnyLayout,
          cuda::kReducedSameType)
        .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
