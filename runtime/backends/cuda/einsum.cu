// SPDX-License-Identifier: Apache-2.0
// _npi_einsum on CUDA, float32. The matmul form of ops/einsum.h (EinsumMatmulPlan: the attention
// contractions) runs on cuBLAS as the GEMM calls of EinsumGemmOf (gemm_plans.h): one strided
// batch over the innermost batch dim, one call per index of the others (at most kMaxGemmCalls).
// Every other einsum runs the loop plan (EinsumLoopPlan), one thread per output element, summing
// products in double through EinsumElement as the CPU kernel does.
#include "ops/einsum.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/gemm.h"
#include "backends/cuda/gemm_plans.h"
#include "backends/cuda/math_mode.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxOperands = 4;    ///< operands of the loop kernel
constexpr int kMaxDims = 12;       ///< output dims and summed dims of the loop kernel
constexpr int kMaxGemmCalls = 64;  ///< GEMM calls of the matmul form

/// The loop plan and the operands, passed to the device by value.
struct LoopArgs {
  const float* in[kMaxOperands];
  int num_in, no, ns;
  int64_t out_dims[kMaxDims], sum_dims[kMaxDims];
  int64_t out_strides[kMaxOperands * kMaxDims], sum_strides[kMaxOperands * kMaxDims];
  int64_t out_size, sum_size;
};

__global__ void EinsumLoopKernel(LoopArgs a, float* out) {
  MXS_GRID_STRIDE(o, a.out_size) {
    const auto load = [&a](int i, int64_t off) { return a.in[i][off]; };
    out[o] = static_cast<float>(EinsumElement<kMaxOperands>(o, a.num_in, a.no, a.out_dims,
                                                            a.out_strides, a.ns, a.sum_dims,
                                                            a.sum_strides, a.sum_size, load));
  }
}

class EinsumLoopCuda final : public Kernel {
 public:
  explicit EinsumLoopCuda(const LoopArgs& a) : a_(a) {}
  void Run(const RunArgs& args) const override {
    if (a_.out_size == 0) return;
    LoopArgs a = a_;
    for (int i = 0; i < a.num_in; ++i) a.in[i] = static_cast<const float*>(args.in[i]);
    EinsumLoopKernel<<<GridFor(a.out_size), kThreads, 0, StreamOf(args).get()>>>(
        a, static_cast<float*>(args.out[0]));
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:einsum"; }

 private:
  LoopArgs a_;
};

/// One GEMM per index of the outer batch dims, each a strided batch over the inner one.
class EinsumGemmCuda final : public Kernel {
 public:
  explicit EinsumGemmCuda(EinsumGemm p) : p_(std::move(p)) { p_.g.tf32 = Tf32Requested(); }
  void Run(const RunArgs& args) const override {
    const CudaStream& s = StreamOf(args);
    const float* a = static_cast<const float*>(args.in[0]);
    const float* b = static_cast<const float*>(args.in[1]);
    float* c = static_cast<float*>(args.out[0]);
    for (size_t i = 0; i < p_.c_off.size(); ++i)
      Gemm(s, DType::kFloat32, p_.g, a + p_.a_off[i], b + p_.b_off[i], c + p_.c_off[i]);
  }
  std::string Describe() const override { return "cublas:einsum"; }

 private:
  EinsumGemm p_;
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> CreateEinsum(const KernelArgs& a) {
  const auto& p = a.param<EinsumParam>();
  const std::string what = "failed to plan " + NodeDesc(a.node);
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << what << ": dtype " << DTypeName(t.dtype) << " is not supported (float32)";
  std::vector<Shape> shapes;
  bool empty_input = false;
  for (const auto& t : a.in) {
    shapes.push_back(t.shape);
    empty_input = empty_input || t.shape.Size() == 0;
  }
  const EinsumSpec spec = MakeEinsumSpec(p, shapes);
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  EinsumMatmulPlan mm;
  EinsumGemm gemm;
  if (!empty_input && MakeEinsumMatmulPlan(shapes, spec, &mm) &&
      EinsumGemmOf(mm, kMaxGemmCalls, &gemm)) {
    CheckGemm(gemm.g, DType::kFloat32, what.c_str());
    return std::make_unique<EinsumGemmCuda>(gemm);
  }
  const EinsumLoopPlan loop = MakeEinsumLoopPlan(shapes, spec);
  const int no = static_cast<int>(loop.out_dims.size());
  const int ns = static_cast<int>(loop.sum_dims.size());
  MXS_CHECK_CODE(loop.num_in <= kMaxOperands && no <= kMaxDims && ns <= kMaxDims, kUnsupported)
      << what << ": the CUDA loop takes at most " << kMaxOperands << " operands and " << kMaxDims
      << " output and summed labels (" << loop.num_in << " operands, " << no << " output and " << ns
      << " summed labels)";
  LoopArgs la{};
  la.num_in = loop.num_in;
  la.no = no;
  la.ns = ns;
  for (int d = 0; d < no; ++d) la.out_dims[d] = loop.out_dims[d];
  for (int d = 0; d < ns; ++d) la.sum_dims[d] = loop.sum_dims[d];
  for (size_t j = 0; j < loop.out_strides.size(); ++j) la.out_strides[j] = loop.out_strides[j];
  for (size_t j = 0; j < loop.sum_strides.size(); ++j) la.sum_strides[j] = loop.sum_strides[j];
  la.out_size = loop.out_size;
  la.sum_size = loop.sum_size;
  return std::make_unique<EinsumLoopCuda>(la);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, einsum) { r.Add("_npi_einsum", cuda::CreateEinsum); }

}  // namespace mxserve
