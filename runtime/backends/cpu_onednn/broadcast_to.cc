// SPDX-License-Identifier: Apache-2.0
// broadcast_to, _npi_broadcast_to, broadcast_like and broadcast_axis as one repeating copy in
// plain C++. Output rows (the last axis) are either copied from one input row or, when the last
// axis itself is broadcast, filled with one input element.
#include "ops/broadcast_to.h"

#include <cstring>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cpu_onednn/index_loops.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

class BroadcastCopyKernel final : public Kernel {
 public:
  BroadcastCopyKernel(const Shape& in, const Shape& out, size_t elem) : elem_(elem) {
    const int nd = out.ndim();
    const int pad = nd - in.ndim();
    std::vector<int64_t> in_dims(nd, 1);
    for (int i = 0; i < in.ndim(); ++i) in_dims[pad + i] = in[i];
    const std::vector<int64_t> st = RowMajorStrides(Shape(in_dims));
    for (int i = 0; i < nd; ++i) {
      dims_.push_back(out[i]);
      in_stride_.push_back(in_dims[i] == 1 ? 0 : st[i]);
    }
    if (nd == 0) {
      dims_.push_back(1);
      in_stride_.push_back(0);
    }
    row_ = dims_.back();
    row_broadcast_ = in_stride_.back() == 0 && row_ > 1;
    rows_ = 1;
    for (size_t i = 0; i + 1 < dims_.size(); ++i) rows_ *= dims_[i];
  }

  void Run(const RunArgs& args) const override {
    const char* src = static_cast<const char*>(args.in[0]);
    char* dst = static_cast<char*>(args.out[0]);
    const int nd = static_cast<int>(dims_.size());
#pragma omp parallel for if (rows_ * row_ > (1 << 16))
    for (int64_t r = 0; r < rows_; ++r) {
      int64_t off = 0, rest = r;
      for (int k = nd - 2; k >= 0; --k) {
        off += (rest % dims_[k]) * in_stride_[k];
        rest /= dims_[k];
      }
      char* d = dst + r * row_ * elem_;
      const char* s = src + off * elem_;
      if (row_broadcast_) {
        for (int64_t j = 0; j < row_; ++j) std::memcpy(d + j * elem_, s, elem_);
      } else {
        std::memcpy(d, s, static_cast<size_t>(row_) * elem_);
      }
    }
  }
  std::string Describe() const override { return "ref:broadcast_copy"; }

 private:
  std::vector<int64_t> dims_;       ///< output dims (at least one)
  std::vector<int64_t> in_stride_;  ///< input element stride per output axis, 0 where repeated
  size_t elem_;                     ///< bytes per element
  int64_t row_ = 0;                 ///< output elements per row (the last axis)
  int64_t rows_ = 0;                ///< number of rows
  bool row_broadcast_ = false;      ///< the last axis repeats one input element
};

class EmptyKernel final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> CreateBroadcast(const KernelArgs& a) {
  if (a.out[0].shape.Size() == 0) return std::make_unique<EmptyKernel>();
  return std::make_unique<BroadcastCopyKernel>(a.in[0].shape, a.out[0].shape,
                                               DTypeSize(a.in[0].dtype));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, broadcast_to) {
  r.Add("broadcast_to", cpu::CreateBroadcast).DTypes(dtypes::kAny);
  r.Add("_npi_broadcast_to", cpu::CreateBroadcast).DTypes(dtypes::kAny);
  r.Add("broadcast_like", cpu::CreateBroadcast).DTypes(dtypes::kAny);
  r.Add("broadcast_axis", cpu::CreateBroadcast).DTypes(dtypes::kAny);
}

}  // namespace mxserve
