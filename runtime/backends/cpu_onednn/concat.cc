// SPDX-License-Identifier: Apache-2.0
// Concat on the oneDNN concat primitive for the dtypes it handles; other dtypes (int64, float64,
// bool...) and dim=None copy row-major blocks with memcpy.
#include "ops/concat.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"

namespace mxserve {
namespace cpu {
namespace {

/// Output viewed as (outer, sum of row_bytes); input i contributes row_bytes[i] per outer row.
class ConcatCopy final : public Kernel {
 public:
  ConcatCopy(int64_t outer, std::vector<size_t> row_bytes) : outer_(outer), row_bytes_(std::move(row_bytes)) {
    for (size_t b : row_bytes_) out_row_ += b;
  }
  void Run(const RunArgs& args) const override {
    char* y = static_cast<char*>(args.out[0]);
#pragma omp parallel for
    for (int64_t o = 0; o < outer_; ++o) {
      size_t offset = o * out_row_;
      for (size_t i = 0; i < row_bytes_.size(); ++i) {
        std::memcpy(y + offset, static_cast<const char*>(args.in[i]) + o * row_bytes_[i], row_bytes_[i]);
        offset += row_bytes_[i];
      }
    }
  }
  std::string Describe() const override { return "ref:concat"; }

 private:
  int64_t outer_;
  std::vector<size_t> row_bytes_;
  size_t out_row_ = 0;
};

bool OneDnnConcatDType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBfloat16 || t == DType::kInt32 ||
         t == DType::kInt8 || t == DType::kUint8;
}

std::unique_ptr<Kernel> CreateConcat(const KernelArgs& a) {
  const auto& p = a.param<ConcatParam>();
  const std::string what = "Concat node '" + a.node.name + "'";
  const Shape& out = a.out[0].shape;
  const int axis = p.flatten ? 0 : (p.dim < 0 ? p.dim + out.ndim() : p.dim);
  bool all_row_major = a.out[0].layout == Layout::kRowMajor;
  for (const auto& t : a.in) all_row_major = all_row_major && t.layout == Layout::kRowMajor;
  bool empty = out.Size() == 0;
  for (const auto& t : a.in) empty = empty || t.shape.Size() == 0;
  if (!p.flatten && !empty && OneDnnConcatDType(a.out[0].dtype)) {
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      std::vector<dnnl::memory::desc> srcs;
      for (const auto& t : a.in) srcs.push_back(ToMemDesc(t));
      auto pd = dnnl::concat::primitive_desc(Engine(), ToMemDesc(a.out[0]), axis, srcs, DefaultAttr());
      using Src = PrimitiveArg::Source;
      std::vector<PrimitiveArg> args;
      for (size_t i = 0; i < srcs.size(); ++i)
        args.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), pd.src_desc(static_cast<int>(i)),
                        Src::kInput, static_cast<int>(i), nullptr});
      args.push_back({DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr});
      return std::make_unique<PrimitiveKernel>(what, dnnl::concat(pd), pd, std::move(args));
    });
  }
  // The copy loop sees what AdaptToLayouts hands it: row-major, bfloat16 widened to float32.
  MXS_CHECK_CODE(all_row_major || a.out[0].dtype == DType::kFloat32 || a.out[0].dtype == DType::kBfloat16,
                 kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(a.out[0].dtype) << " needs row-major tensors";
  const size_t elem = DTypeSize(a.out[0].dtype == DType::kBfloat16 ? DType::kFloat32 : a.out[0].dtype);
  const int64_t outer = p.flatten ? 1 : ShapeProduct(out, 0, axis);
  std::vector<size_t> row_bytes;
  for (const auto& t : a.in) {
    int64_t n = p.flatten ? t.shape.Size() : ShapeProduct(t.shape, axis, t.shape.ndim());
    row_bytes.push_back(static_cast<size_t>(n) * elem);
  }
  return AdaptToLayouts(std::make_unique<ConcatCopy>(outer, std::move(row_bytes)), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, concat) {
  r.Add("Concat", cpu::CreateConcat, Backend::kAnyLayout, Backend::kBf16SameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
