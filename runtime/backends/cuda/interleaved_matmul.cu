// SPDX-License-Identifier: Apache-2.0
// The interleaved attention products on CUDA, each one cuBLAS strided-batched product over
// (batch * heads) views of the projections: a head's query, key or value block is addressed in
// place through the batch stride (the head's offset in a row), the row stride (batch * features)
// and a start offset, so nothing is copied. The 1/sqrt(head_dim) factor of the qk forms is the
// product's alpha, applied to the float32 accumulator. _contrib_div_sqrt_dim is one thread per
// element.
#include "ops/interleaved_matmul.h"

#include <cmath>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/dtype_adapter.h"
#include "backends/cuda/gemm.h"
#include "backends/cuda/gemm_plans.h"
#include "backends/cuda/registration.h"
#include "backends/cuda/math_mode.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// One strided-batched product: C = alpha A B, A read from input `a_in` starting `a_off`
/// elements in, B from input `b_in` starting `b_off` elements in.
class InterleavedCuda final : public Kernel {
 public:
  InterleavedCuda(const GemmShape& g, DType dtype, int a_in, int64_t a_off, int b_in,
                  int64_t b_off, std::string name)
      : g_(g), dtype_(dtype), a_in_(a_in), b_in_(b_in),
        a_off_(static_cast<size_t>(a_off) * DTypeSize(dtype)),
        b_off_(static_cast<size_t>(b_off) * DTypeSize(dtype)), name_(std::move(name)) {
    g_.tf32 = Tf32Requested();
  }
  void Run(const RunArgs& args) const override {
    const char* a = static_cast<const char*>(args.in[a_in_]) + a_off_;
    const char* b = static_cast<const char*>(args.in[b_in_]) + b_off_;
    Gemm(StreamOf(args), dtype_, g_, a, b, args.out[0]);
  }
  std::string Describe() const override { return "cublas:" + name_; }

 private:
  GemmShape g_;
  DType dtype_;
  int a_in_, b_in_;
  size_t a_off_, b_off_;
  std::string name_;
};

DType CheckTypes(const KernelArgs& a) {
  const DType t = a.in[0].dtype;
  bool same = a.out[0].dtype == t;
  for (const TensorDesc& d : a.in) same = same && d.dtype == t;
  MXS_CHECK_CODE(IsFloatData(t) && same, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA attention products take float32, "
      << "float16 or bfloat16 inputs and output of one dtype";
  return t;
}

std::unique_ptr<Kernel> Finish(const KernelArgs& a, const InterleavedGemm& p, const char* name) {
  const DType t = CheckTypes(a);
  const std::string what = "failed to plan " + NodeDesc(a.node);
  const GemmShape& g = p.g;
  MXS_CHECK_CODE(g.batch > 0 && g.m > 0 && g.n > 0 && g.k > 0, kUnsupported)
      << what << ": an empty attention product has no CUDA kernel";
  CheckGemm(g, t, what.c_str());
  return std::make_unique<InterleavedCuda>(g, t, p.a_in, p.a_off, p.b_in, p.b_off, name);
}

int64_t Heads(const KernelArgs& a) { return a.param<InterleavedMatMulParam>().heads; }

std::unique_ptr<Kernel> CreateSelfQK(const KernelArgs& a) {
  return Finish(a, SelfAttQkGemm(Heads(a), a.in[0].shape), "selfatt_qk");
}

std::unique_ptr<Kernel> CreateSelfValAtt(const KernelArgs& a) {
  return Finish(a, SelfAttValAttGemm(Heads(a), a.in[0].shape), "selfatt_valatt");
}

std::unique_ptr<Kernel> CreateEncDecQK(const KernelArgs& a) {
  return Finish(a, EncDecQkGemm(Heads(a), a.in[0].shape, a.in[1].shape), "encdec_qk");
}

std::unique_ptr<Kernel> CreateEncDecValAtt(const KernelArgs& a) {
  return Finish(a, EncDecValAttGemm(Heads(a), a.in[0].shape, a.in[1].shape), "encdec_valatt");
}

/// y = x / div, the divisor first rounded to T.
template <typename T>
__global__ void DivSqrtDimKernel(const T* x, T* y, int64_t n, float div) {
  T rounded[1];
  Store(rounded, 0, div);
  const float d = Load(rounded, 0);
  MXS_GRID_STRIDE(i, n) Store(y, i, Load(x, i) / d);
}

/// out = data / sqrt(data.shape[-1]).
class DivSqrtDimCuda final : public Kernel {
 public:
  DivSqrtDimCuda(int64_t n, int64_t last, DType dtype)
      : n_(n), div_(static_cast<float>(std::sqrt(static_cast<double>(last)))), dtype_(dtype) {}
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    MXS_FLOAT_DISPATCH(dtype_, T,
                       DivSqrtDimKernel<<<GridFor(n_), kThreads, 0, s>>>(
                           static_cast<const T*>(args.in[0]), static_cast<T*>(args.out[0]), n_,
                           div_));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:div_sqrt_dim"; }

 private:
  int64_t n_;
  float div_;
  DType dtype_;
};

std::unique_ptr<Kernel> CreateDivSqrtDim(const KernelArgs& a) {
  const DType t = CheckTypes(a);
  const Shape& s = a.in[0].shape;
  return std::make_unique<DivSqrtDimCuda>(s.Size(), s[s.ndim() - 1], t);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, interleaved_matmul) {
  const auto conv = cuda::kReducedConverting;
  r.Add("_contrib_interleaved_matmul_selfatt_qk", cuda::Adapted(cuda::CreateSelfQK),
        Backend::kRowMajorOnly, conv)
      .DTypes(cuda::kFloatData);
  r.Add("_contrib_interleaved_matmul_selfatt_valatt", cuda::Adapted(cuda::CreateSelfValAtt),
        Backend::kRowMajorOnly, conv)
      .DTypes(cuda::kFloatData);
  r.Add("_contrib_interleaved_matmul_encdec_qk", cuda::Adapted(cuda::CreateEncDecQK),
        Backend::kRowMajorOnly, conv)
      .DTypes(cuda::kFloatData);
  r.Add("_contrib_interleaved_matmul_encdec_valatt", cuda::Adapted(cuda::CreateEncDecValAtt),
        Backend::kRowMajorOnly, conv)
      .DTypes(cuda::kFloatData);
  r.Add("_contrib_div_sqrt_dim", cuda::Adapted(cuda::CreateDivSqrtDim), Backend::kRowMajorOnly,
        cuda::kReducedSameType)
      .DTypes(cuda::kFloatData);
}

}  // namespace mxserve
