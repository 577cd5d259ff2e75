// SPDX-License-Identifier: Apache-2.0
// shape_array and size_array on CUDA: the int64 values are known at bind time (the input's dims,
// or its element count) and passed to a fill kernel by value, one thread per element; the
// input's data is never read.
#include "ops/shape_array.h"

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

constexpr int kMaxValues = 32;

/// The output's elements, passed to the kernel by value.
struct Values {
  int count = 0;
  int64_t v[kMaxValues];
};

__global__ void ValuesKernel(int64_t* y, Values values) {
  MXS_GRID_STRIDE(i, values.count) { y[i] = values.v[i]; }
}

class ValuesCuda final : public Kernel {
 public:
  ValuesCuda(const Values& values, const char* name) : values_(values), name_(name) {}
  void Run(const RunArgs& args) const override {
    if (values_.count == 0) return;
    ValuesKernel<<<1, kThreads, 0, StreamOf(args).get()>>>(static_cast<int64_t*>(args.out[0]),
                                                           values_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return std::string("cuda:") + name_; }

 private:
  Values values_;
  const char* name_;
};

std::unique_ptr<Kernel> Make(const KernelArgs& a, const std::vector<int64_t>& v,
                             const char* name) {
  MXS_CHECK_CODE(a.out[0].dtype == DType::kInt64, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": the output is " << DTypeName(a.out[0].dtype)
      << ", not int64";
  MXS_CHECK_CODE(static_cast<int64_t>(v.size()) == a.out[0].shape.Size(), kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << v.size() << " values for output "
      << a.out[0].shape.ToString();
  MXS_CHECK_CODE(v.size() <= static_cast<size_t>(kMaxValues), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": more than " << kMaxValues << " axes";
  Values values;
  values.count = static_cast<int>(v.size());
  for (size_t i = 0; i < v.size(); ++i) values.v[i] = v[i];
  return std::make_unique<ValuesCuda>(values, name);
}

std::unique_ptr<Kernel> CreateShapeArray(const KernelArgs& a) {
  return Make(a, a.in[0].shape.dims(), "shape_array");
}

std::unique_ptr<Kernel> CreateSizeArray(const KernelArgs& a) {
  return Make(a, {a.in[0].shape.Size()}, "size_array");
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, shape_array) {
  r.Add("shape_array", cuda::CreateShapeArray).DTypes(dtypes::kAny);
  r.Add("size_array", cuda::CreateSizeArray).DTypes(dtypes::kAny);
}

}  // namespace mxserve
