// SPDX-License-Identifier: Apache-2.0
// stack: the output is viewed as (outer, num_args, inner); input k fills slot k of every outer
// row with one memcpy of `inner` elements. Works on the bytes, so every dtype is supported.
#include "ops/stack.h"

#include <cstring>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

class StackKernel final : public Kernel {
 public:
  StackKernel(int num_args, int64_t outer, int64_t inner_bytes)
      : num_args_(num_args), outer_(outer), inner_bytes_(inner_bytes) {}
  void Run(const RunArgs& args) const override {
    char* dst = static_cast<char*>(args.out[0]);
    const int64_t n = outer_ * num_args_;
#pragma omp parallel for if (n * inner_bytes_ > (1 << 17))
    for (int64_t i = 0; i < n; ++i) {
      const int64_t o = i / num_args_, k = i % num_args_;
      std::memcpy(dst + i * inner_bytes_, static_cast<const char*>(args.in[k]) + o * inner_bytes_,
                  static_cast<size_t>(inner_bytes_));
    }
  }
  std::string Describe() const override { return "ref:stack"; }

 private:
  int num_args_;         ///< number of inputs
  int64_t outer_;        ///< product of the dims before the new axis
  int64_t inner_bytes_;  ///< bytes of the dims after it
};

std::unique_ptr<Kernel> CreateStack(const KernelArgs& a) {
  const auto& p = a.param<StackParam>();
  const Shape& in = a.in[0].shape;
  const int ax = NormalizeAxis(p.axis, in.ndim() + 1);
  const int64_t outer = ShapeProduct(in, 0, ax);
  const int64_t inner =
      ShapeProduct(in, ax, in.ndim()) * static_cast<int64_t>(DTypeSize(a.in[0].dtype));
  return std::make_unique<StackKernel>(p.num_args, outer, inner);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, stack) { r.Add("stack", cpu::CreateStack).DTypes(dtypes::kAny); }

}  // namespace mxserve
