// SPDX-License-Identifier: Apache-2.0
// reverse as a strided copy in plain C++, for any dtype: trailing axes that are not reversed
// form one contiguous block, copied with memcpy; the axes before it are walked per block with
// the reversed ones read from their end.
#include "ops/reverse.h"

#include <cstring>
#include <vector>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

class ReverseKernel final : public Kernel {
 public:
  ReverseKernel(const TensorDesc& t, const std::vector<bool>& flipped) {
    const int ndim = t.shape.ndim();
    int m = ndim;
    block_ = static_cast<int64_t>(DTypeSize(t.dtype));
    while (m > 0 && !flipped[m - 1]) block_ *= t.shape[--m];
    int64_t stride = block_;
    for (int i = m - 1; i >= 0; --i) {
      dims_.insert(dims_.begin(), t.shape[i]);
      strides_.insert(strides_.begin(), stride);
      flipped_.insert(flipped_.begin(), flipped[i]);
      stride *= t.shape[i];
    }
    rows_ = 1;
    for (int64_t d : dims_) rows_ *= d;
  }

  void Run(const RunArgs& args) const override {
    const char* src = static_cast<const char*>(args.in[0]);
    char* dst = static_cast<char*>(args.out[0]);
    const int nd = static_cast<int>(dims_.size());
#pragma omp parallel for if (rows_ * block_ > (1 << 16))
    for (int64_t row = 0; row < rows_; ++row) {
      int64_t off = 0, rest = row;
      for (int k = nd - 1; k >= 0; --k) {
        const int64_t i = rest % dims_[k];
        rest /= dims_[k];
        off += (flipped_[k] ? dims_[k] - 1 - i : i) * strides_[k];
      }
      std::memcpy(dst + row * block_, src + off, static_cast<size_t>(block_));
    }
  }

  std::string Describe() const override { return "ref:reverse"; }

 private:
  std::vector<int64_t> dims_;     ///< sizes of the axes walked block by block
  std::vector<int64_t> strides_;  ///< byte stride of each walked axis
  std::vector<bool> flipped_;     ///< whether each walked axis is read backwards
  int64_t block_ = 0;             ///< bytes copied at once
  int64_t rows_ = 0;              ///< number of blocks
};

std::unique_ptr<Kernel> CreateReverse(const KernelArgs& a) {
  const TensorDesc& t = a.in[0];
  MXS_CHECK_CODE(t.layout == Layout::kRowMajor, kUnsupported)
      << "only row-major tensors are supported";
  return std::make_unique<ReverseKernel>(t, a.param<ReverseParam>().Flipped(t.shape.ndim()));
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, reverse) {
  r.Add("reverse", cpu::CreateReverse, Backend::kRowMajorOnly, Backend::kBf16SameType)
      .DTypes(dtypes::kAny);
}

}  // namespace mxserve
