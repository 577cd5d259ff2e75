// SPDX-License-Identifier: Apache-2.0
// StridedGather: fills a row-major output by reading the input through a StridedView
// (ops/strided_view.h: 0 repeats an element, a permutation transposes). The data-movement ops
// (tile, repeat, split, Crop, depth_to_space, space_to_depth) describe their output as such a
// view of the input; the simplified view's last dim is copied row by row.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/kernel.h"
#include "ops/strided_view.h"

namespace mxserve {
namespace cpu {

class StridedGather {
 public:
  /// The output (row-major over view.dims) read from the input through `view`; `elem` is the
  /// element size in bytes.
  StridedGather(const StridedView& view, int64_t elem) : offset_(view.offset * elem), elem_(elem) {
    const StridedView s = Simplified(view);
    dims_ = s.dims;
    strides_ = s.strides;
    empty_ = s.Size() == 0;
    if (dims_.empty()) {
      dims_.push_back(1);
      strides_.push_back(1);
    }
    inner_ = dims_.back();
    inner_stride_ = strides_.back();
    dims_.pop_back();
    strides_.pop_back();
    rows_ = 1;
    for (int64_t d : dims_) rows_ *= d;
  }

  /// Copies the view of `src` into `dst`; thread-safe, allocates nothing.
  void Run(const void* src, void* dst) const {
    if (empty_) return;
    const char* s = static_cast<const char*>(src) + offset_;
    char* d = static_cast<char*>(dst);
    const int nd = static_cast<int>(dims_.size());
    const int64_t row_bytes = inner_ * elem_;
#pragma omp parallel for if (rows_ * inner_ > (1 << 15))
    for (int64_t row = 0; row < rows_; ++row) {
      int64_t off = 0, rest = row;
      for (int k = nd - 1; k >= 0; --k) {
        off += (rest % dims_[k]) * strides_[k];
        rest /= dims_[k];
      }
      CopyRow(d + row * row_bytes, s + off * elem_);
    }
  }

 private:
  void CopyRow(char* dst, const char* src) const {
    if (inner_stride_ == 1) {
      std::memcpy(dst, src, static_cast<size_t>(inner_ * elem_));
      return;
    }
    switch (elem_) {
      case 1:
        Strided<uint8_t>(dst, src);
        break;
      case 2:
        Strided<uint16_t>(dst, src);
        break;
      case 4:
        Strided<uint32_t>(dst, src);
        break;
      case 8:
        Strided<uint64_t>(dst, src);
        break;
      default:
        for (int64_t j = 0; j < inner_; ++j)
          std::memcpy(dst + j * elem_, src + j * inner_stride_ * elem_, static_cast<size_t>(elem_));
    }
  }

  template <typename T>
  void Strided(char* dst, const char* src) const {
    T* d = reinterpret_cast<T*>(dst);
    for (int64_t j = 0; j < inner_; ++j)
      std::memcpy(d + j, src + j * inner_stride_ * elem_, sizeof(T));
  }

  std::vector<int64_t> dims_;     ///< merged outer output dims (the rows)
  std::vector<int64_t> strides_;  ///< input element stride of each outer dim
  int64_t inner_ = 1;             ///< length of the last merged dim
  int64_t inner_stride_ = 1;      ///< input element stride along it
  int64_t rows_ = 1;              ///< product of dims_
  int64_t offset_ = 0;            ///< input byte offset of output element 0
  int64_t elem_ = 4;              ///< element size in bytes
  bool empty_ = false;            ///< the output has no elements
};

/// A kernel whose output k is gathers[k] of input 0 (one per output: split has many).
class StridedGatherKernel final : public Kernel {
 public:
  explicit StridedGatherKernel(std::vector<StridedGather> gathers) : gathers_(std::move(gathers)) {}
  void Run(const RunArgs& args) const override {
    for (size_t k = 0; k < gathers_.size(); ++k) gathers_[k].Run(args.in[0], args.out[k]);
  }
  std::string Describe() const override { return "ref:strided_copy"; }

 private:
  std::vector<StridedGather> gathers_;  ///< one view of the input per output
};

/// A StridedGatherKernel whose output k is views[k] of input 0.
inline std::unique_ptr<Kernel> MakeStridedGather(const KernelArgs& a,
                                                 const std::vector<StridedView>& views) {
  const int64_t elem = static_cast<int64_t>(DTypeSize(a.in[0].dtype));
  std::vector<StridedGather> gathers;
  for (const StridedView& v : views) gathers.emplace_back(v, elem);
  return std::make_unique<StridedGatherKernel>(std::move(gathers));
}

}  // namespace cpu
}  // namespace mxserve
