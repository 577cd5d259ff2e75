// SPDX-License-Identifier: Apache-2.0
// Same-shape binary ops (elemwise_add, _maximum, ...) and add_n on float32 / float16 data.
#include "ops/elemwise_binary.h"

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
__global__ void BinaryKernel(BinaryFn f, const T* a, const T* b, T* y, int64_t n) {
  MXS_GRID_STRIDE(i, n) { Store(y, i, ApplyBinary(f, Load(a, i), Load(b, i))); }
}

constexpr int kMaxAddN = 8;
struct Addends {
  const void* p[kMaxAddN];
  int count;
};

template <typename T>
__global__ void AddNKernel(Addends in, T* y, int64_t n, bool accumulate) {
  MXS_GRID_STRIDE(i, n) {
    float v = accumulate ? Load(y, i) : 0.f;
    for (int j = 0; j < in.count; ++j) v += Load(static_cast<const T*>(in.p[j]), i);
    Store(y, i, v);
  }
}

bool FloatData(const KernelArgs& a) {
  const DType t = a.out[0].dtype;
  if (!IsFloatData(t)) return false;
  for (const auto& d : a.in)
    if (d.dtype != t) return false;
  return true;
}

class ElemwiseBinaryCuda final : public Kernel {
 public:
  ElemwiseBinaryCuda(BinaryFn f, DType t, int64_t n) : f_(f), t_(t), n_(n) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(t_, T,
                       BinaryKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           f_, static_cast<const T*>(args.in[0]),
                           static_cast<const T*>(args.in[1]), static_cast<T*>(args.out[0]), n_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:binary"; }

 private:
  BinaryFn f_;
  DType t_;
  int64_t n_;
};

class AddNCuda final : public Kernel {
 public:
  AddNCuda(int count, DType t, int64_t n) : count_(count), t_(t), n_(n) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    // Groups of kMaxAddN inputs; after the first group the output accumulates. An input that
    // aliases the output is only read by the first group, before anything is written.
    for (int first = 0; first < count_; first += kMaxAddN) {
      Addends in{};
      in.count = std::min(kMaxAddN, count_ - first);
      for (int j = 0; j < in.count; ++j) in.p[j] = args.in[first + j];
      MXS_FLOAT_DISPATCH(t_, T,
                         AddNKernel<T><<<GridFor(n_), kThreads, 0, s>>>(
                             in, static_cast<T*>(args.out[0]), n_, first > 0));
      MXS_CUDA_CHECK_LAUNCH();
    }
  }
  std::string Describe() const override { return "cuda:add_n"; }

 private:
  int count_;
  DType t_;
  int64_t n_;
};

std::unique_ptr<Kernel> CreateElemwiseBinary(const KernelArgs& a) {
  MXS_CHECK_CODE(FloatData(a), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 "
      << "or bfloat16 operands of one dtype";
  return std::make_unique<ElemwiseBinaryCuda>(ElemwiseBinaryFnOf(a.node.def->name()),
                                              a.out[0].dtype, a.out[0].shape.Size());
}

std::unique_ptr<Kernel> CreateAddN(const KernelArgs& a) {
  MXS_CHECK_CODE(FloatData(a), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32, float16 "
      << "or bfloat16 operands of one dtype";
  return std::make_unique<AddNCuda>(static_cast<int>(a.in.size()), a.out[0].dtype,
                                    a.out[0].shape.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, elemwise_binary) {
  for (const std::string& op : ElemwiseBinaryOpNames())
    r.Add(op, cuda::Adapted(cuda::CreateElemwiseBinary), Backend::kSameLayout,
          cuda::kReducedSameType)
        .DTypes(cuda::kFloatData);
  r.Add("add_n", cuda::CreateAddN).DTypes(cuda::kFloatData);
}

}  // namespace mxserve
