// SPDX-License-Identifier: Apache-2.0
// shape_array and size_array: the values are known at bind time and copied out on every run.
#include "ops/shape_array.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace mxserve {
namespace cpu {
namespace {

class ConstInt64Kernel final : public Kernel {
 public:
  explicit ConstInt64Kernel(std::vector<int64_t> values) : values_(std::move(values)) {}
  void Run(const RunArgs& args) const override {
    if (!values_.empty())
      std::memcpy(args.out[0], values_.data(), values_.size() * sizeof(int64_t));
  }
  std::string Describe() const override { return "ref:shape"; }

 private:
  std::vector<int64_t> values_;  ///< the output's elements
};

std::unique_ptr<Kernel> CreateShapeArray(const KernelArgs& a) {
  return std::make_unique<ConstInt64Kernel>(a.in[0].shape.dims());
}

std::unique_ptr<Kernel> CreateSizeArray(const KernelArgs& a) {
  return std::make_unique<ConstInt64Kernel>(std::vector<int64_t>{a.in[0].shape.Size()});
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, shape_array) {
  r.Add("shape_array", cpu::CreateShapeArray).DTypes(dtypes::kAny);
  r.Add("size_array", cpu::CreateSizeArray).DTypes(dtypes::kAny);
}

}  // namespace mxserve
