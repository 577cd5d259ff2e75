// SPDX-License-Identifier: Apache-2.0
// AdaptToDTypes.
#include "backends/cuda/dtype_adapter.h"

#include <utility>
#include <vector>

#include "backends/cuda/cast_launch.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_weights.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

bool IsFloat(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16;
}

size_t Align(size_t n) { return (n + 255) / 256 * 256; }

class DTypeAdapter final : public Kernel {
 public:
  /// One tensor converted through the scratchpad.
  struct Conversion {
    int index;        ///< input or output number
    DType from, to;   ///< dtype before and after
    int64_t n;        ///< elements
    size_t offset;    ///< in the scratchpad
  };
  DTypeAdapter(std::unique_ptr<Kernel> inner, std::vector<Conversion> in,
               std::vector<Conversion> out, size_t bytes, size_t num_in, size_t num_out)
      : inner_(std::move(inner)), in_(std::move(in)), out_(std::move(out)), bytes_(bytes),
        num_in_(num_in), num_out_(num_out) {}
  size_t ScratchpadBytes() const override { return bytes_ + inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    char* scratch = static_cast<char*>(args.scratchpad);
    std::vector<const void*> in(args.in, args.in + num_in_);
    std::vector<void*> out(args.out, args.out + num_out_);
    for (const Conversion& c : in_) {
      LaunchCast(c.from, c.to, args.in[c.index], scratch + c.offset, c.n, s);
      in[c.index] = scratch + c.offset;
    }
    for (const Conversion& c : out_) out[c.index] = scratch + c.offset;
    RunArgs inner{in.data(), out.data(), scratch + bytes_, args.stream, args.state};
    inner_->Run(inner);
    for (const Conversion& c : out_)
      LaunchCast(c.from, c.to, scratch + c.offset, args.out[c.index], c.n, s);
  }
  std::string Describe() const override { return inner_->Describe() + "+convert"; }
  bool ReadsInput(size_t i) const override {
    for (const Conversion& c : in_)
      if (c.index == static_cast<int>(i)) return true;
    return inner_->ReadsInput(i);
  }

 private:
  std::unique_ptr<Kernel> inner_;
  std::vector<Conversion> in_, out_;
  size_t bytes_;
  size_t num_in_, num_out_;
};

/// Runs `inner` with some bound float32 parameters replaced by copies in the compute dtype,
/// converted and uploaded once at bind time.
class ConvertedParams final : public Kernel {
 public:
  ConvertedParams(std::unique_ptr<Kernel> inner, std::vector<std::pair<int, DeviceMemory>> params,
                  size_t num_in)
      : inner_(std::move(inner)), params_(std::move(params)), num_in_(num_in) {}
  size_t ScratchpadBytes() const override { return inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  void Run(const RunArgs& args) const override {
    std::vector<const void*> in(args.in, args.in + num_in_);
    for (const auto& [i, m] : params_) in[i] = m.data();
    inner_->Run(RunArgs{in.data(), args.out, args.scratchpad, args.stream, args.state});
  }
  std::string Describe() const override { return inner_->Describe() + "+converted_params"; }
  bool ReadsInput(size_t i) const override {
    for (const auto& p : params_)
      if (p.first == static_cast<int>(i)) return false;
    return inner_->ReadsInput(i);
  }

 private:
  std::unique_ptr<Kernel> inner_;
  std::vector<std::pair<int, DeviceMemory>> params_;
  size_t num_in_;
};

bool IsReduced(DType t) { return t == DType::kFloat16 || t == DType::kBfloat16; }

std::unique_ptr<Kernel> AdaptComputed(const KernelArgs& a, const CudaFactory& make);

}  // namespace

std::unique_ptr<Kernel> AdaptToDTypes(const KernelArgs& a, const CudaFactory& make) {
  try {
    return AdaptComputed(a, make);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnsupported || !IsReduced(a.compute_dtype)) throw;
    // Parameters stay float32 in a reduced mode: a kernel that takes its operands in one dtype
    // (a broadcast add of a bias, a matmul with a weight) gets them converted once at bind.
    KernelArgs converted = a;
    std::vector<std::pair<int, DeviceMemory>> params;
    const Error first = e;
    for (size_t i = 0; i < a.in.size(); ++i) {
      if (a.constants[i] == nullptr || a.in[i].dtype != DType::kFloat32) continue;
      converted.in[i].dtype = a.compute_dtype;
      converted.constants[i] = nullptr;
      params.emplace_back(static_cast<int>(i), DeviceMemory());
    }
    if (params.empty()) throw;
    std::unique_ptr<Kernel> inner;
    try {
      inner = AdaptComputed(converted, make);
    } catch (const Error&) {
      throw first;
    }
    UploadSpec spec;
    spec.dtype = a.compute_dtype;
    for (auto& [i, m] : params) m = UploadWeight(a, *a.constants[i], CurrentDevice(), spec);
    return std::make_unique<ConvertedParams>(std::move(inner), std::move(params), a.in.size());
  }
}

namespace {

std::unique_ptr<Kernel> AdaptComputed(const KernelArgs& a, const CudaFactory& make) {
  const DType compute = a.compute_dtype;
  bool mixed = false;
  DType first = DType::kUnknown;
  auto visit = [&](DType t) {
    if (!IsFloat(t)) return;
    if (first == DType::kUnknown) first = t;
    mixed = mixed || t != first;
  };
  for (size_t i = 0; i < a.in.size(); ++i)
    if (a.constants[i] == nullptr) visit(a.in[i].dtype);
  for (const TensorDesc& t : a.out) visit(t.dtype);
  if (!mixed || !IsFloat(compute)) return make(a);
  KernelArgs inner = a;
  std::vector<DTypeAdapter::Conversion> in, out;
  size_t bytes = 0;
  for (size_t i = 0; i < a.in.size(); ++i) {
    if (a.constants[i] != nullptr || !IsFloat(a.in[i].dtype) || a.in[i].dtype == compute) continue;
    const int64_t n = a.in[i].shape.Size();
    in.push_back({static_cast<int>(i), a.in[i].dtype, compute, n, bytes});
    bytes += Align(static_cast<size_t>(n) * DTypeSize(compute));
    inner.in[i].dtype = compute;
  }
  for (size_t i = 0; i < a.out.size(); ++i) {
    if (!IsFloat(a.out[i].dtype) || a.out[i].dtype == compute) continue;
    const int64_t n = a.out[i].shape.Size();
    out.push_back({static_cast<int>(i), compute, a.out[i].dtype, n, bytes});
    bytes += Align(static_cast<size_t>(n) * DTypeSize(compute));
    inner.out[i].dtype = compute;
  }
  return std::make_unique<DTypeAdapter>(make(inner), std::move(in), std::move(out), bytes,
                                        a.in.size(), a.out.size());
}

}  // namespace

CudaFactory Adapted(CudaFactory make) {
  return [make](const KernelArgs& a) { return AdaptToDTypes(a, make); };
}

}  // namespace cuda
}  // namespace mxserve
