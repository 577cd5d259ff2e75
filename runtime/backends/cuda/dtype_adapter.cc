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

bool IsFloat(DType t) { return t == DType::kFloat32 || IsReducedFloat(t); }

size_t Align(size_t n) { return (n + 255) / 256 * 256; }

/// A bound parameter replaced by a copy in the compute dtype, converted at bind time.
struct ConvertedParam {
  int index;          ///< input number
  DeviceMemory data;  ///< the converted copy
};

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
               std::vector<Conversion> out, std::vector<ConvertedParam> params, size_t bytes,
               size_t num_in, size_t num_out)
      : inner_(std::move(inner)),
        in_(std::move(in)),
        out_(std::move(out)),
        params_(std::move(params)),
        bytes_(bytes),
        num_in_(num_in),
        num_out_(num_out) {}
  size_t ScratchpadBytes() const override { return bytes_ + inner_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return inner_->CreateState(); }
  void Run(const RunArgs& args) const override {
    cudaStream_t s = StreamOf(args).get();
    char* scratch = static_cast<char*>(args.scratchpad);
    std::vector<const void*> in(args.in, args.in + num_in_);
    std::vector<void*> out(args.out, args.out + num_out_);
    for (const ConvertedParam& p : params_) in[p.index] = p.data.data();
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
  std::string Describe() const override {
    return inner_->Describe() + (in_.empty() && out_.empty() ? "" : "+convert") +
           (params_.empty() ? "" : "+converted_params");
  }
  bool ReadsInput(size_t i) const override {
    for (const ConvertedParam& p : params_)
      if (p.index == static_cast<int>(i)) return false;
    for (const Conversion& c : in_)
      if (c.index == static_cast<int>(i)) return true;
    return inner_->ReadsInput(i);
  }

 private:
  std::unique_ptr<Kernel> inner_;
  std::vector<Conversion> in_, out_;
  std::vector<ConvertedParam> params_;
  size_t bytes_;
  size_t num_in_, num_out_;
};

/// `make(a)` when all computed float tensors share a dtype and no parameter is converted, else
/// the kernel for them all in a.compute_dtype wrapped with the conversions. `params` are the
/// inputs that a.in already declares in the compute dtype, with the float32 parameters whose
/// converted copies, uploaded once the kernel is made, replace them at run time.
std::unique_ptr<Kernel> Adapt(const KernelArgs& a, const CudaFactory& make,
                              const std::vector<std::pair<int, const NDArray*>>& params) {
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
  if ((!mixed || !IsFloat(compute)) && params.empty()) return make(a);
  KernelArgs inner = a;
  std::vector<DTypeAdapter::Conversion> in, out;
  size_t bytes = 0;
  for (size_t i = 0; mixed && i < a.in.size(); ++i) {
    if (a.constants[i] != nullptr || !IsFloat(a.in[i].dtype) || a.in[i].dtype == compute) continue;
    const int64_t n = a.in[i].shape.Size();
    in.push_back({static_cast<int>(i), a.in[i].dtype, compute, n, bytes});
    bytes += Align(static_cast<size_t>(n) * DTypeSize(compute));
    inner.in[i].dtype = compute;
  }
  for (size_t i = 0; mixed && i < a.out.size(); ++i) {
    if (!IsFloat(a.out[i].dtype) || a.out[i].dtype == compute) continue;
    const int64_t n = a.out[i].shape.Size();
    out.push_back({static_cast<int>(i), compute, a.out[i].dtype, n, bytes});
    bytes += Align(static_cast<size_t>(n) * DTypeSize(compute));
    inner.out[i].dtype = compute;
  }
  std::unique_ptr<Kernel> kernel = make(inner);
  UploadSpec spec;
  spec.dtype = compute;
  std::vector<ConvertedParam> copies;
  for (const auto& [i, w] : params)
    copies.push_back({i, UploadWeight(a, *w, CurrentDevice(), spec)});
  return std::make_unique<DTypeAdapter>(std::move(kernel), std::move(in), std::move(out),
                                        std::move(copies), bytes, a.in.size(), a.out.size());
}

}  // namespace

std::unique_ptr<Kernel> AdaptToDTypes(const KernelArgs& a, const CudaFactory& make) {
  try {
    return Adapt(a, make, {});
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnsupported || !IsReducedFloat(a.compute_dtype)) throw;
    // Parameters stay float32 in a reduced mode: a kernel that takes its operands in one dtype
    // (a broadcast add of a bias, a matmul with a weight) gets them converted once at bind.
    KernelArgs converted = a;
    std::vector<std::pair<int, const NDArray*>> params;
    for (size_t i = 0; i < a.in.size(); ++i) {
      if (a.constants[i] == nullptr || a.in[i].dtype != DType::kFloat32) continue;
      converted.in[i].dtype = a.compute_dtype;
      converted.constants[i] = nullptr;
      params.emplace_back(static_cast<int>(i), a.constants[i]);
    }
    if (params.empty()) throw;
    const Error refused = e;
    try {
      return Adapt(converted, make, params);
    } catch (const Error&) {
      throw refused;
    }
  }
}

CudaFactory Adapted(CudaFactory make) {
  return [make](const KernelArgs& a) { return AdaptToDTypes(a, make); };
}

}  // namespace cuda
}  // namespace mxserve
