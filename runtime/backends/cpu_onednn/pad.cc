// SPDX-License-Identifier: Apache-2.0
// Pad and _npi_pad: each output index of each axis maps to an input index (clamped for edge,
// mirrored for reflect and symmetric) or to the constant. Rows whose outer indices all map
// inside copy their interior with one memcpy and fill the two borders. _npi_pad's maximum and
// minimum modes then fill the border of each axis, last axis first as MXNet does, with the
// extreme of the line's interior.
#include "ops/pad.h"

#include <cstring>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

/// Which statistic fills the border after the copy (maximum / minimum modes of _npi_pad).
enum class Stat { kNone, kMax, kMin };

template <typename T>
class PadKernel final : public Kernel {
 public:
  /// `maps[i][j]` is the input index of output index j on axis i, or -1 for `value`.
  PadKernel(const Shape& in, const Shape& out, std::vector<std::vector<int64_t>> maps,
            std::vector<int64_t> before, T value, Stat stat)
      : in_dims_(in.dims()),
        in_strides_(in.ndim(), 1),
        out_dims_(out.dims()),
        map_(std::move(maps)),
        before_(std::move(before)),
        value_(value),
        stat_(stat) {
    const int nd = in.ndim();
    for (int i = nd - 2; i >= 0; --i) in_strides_[i] = in_strides_[i + 1] * in[i + 1];
    inner_begin_ = before_[nd - 1];
    inner_len_ = in[nd - 1];
    rows_ = 1;
    for (int i = 0; i < nd - 1; ++i) rows_ *= out[i];
  }

  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    T* y = static_cast<T*>(args.out[0]);
    Copy(x, y);
    if (stat_ == Stat::kNone) return;
    for (int k = static_cast<int>(out_dims_.size()) - 1; k >= 0; --k) FillStat(y, k);
  }
  std::string Describe() const override { return "ref:pad"; }

 private:
  void Copy(const T* x, T* y) const {
    const int nd = static_cast<int>(out_dims_.size());
    const int64_t w = out_dims_[nd - 1];
    const std::vector<int64_t>& last = map_[nd - 1];
#pragma omp parallel for if (rows_ * w > (1 << 15))
    for (int64_t row = 0; row < rows_; ++row) {
      T* dst = y + row * w;
      int64_t off = 0, rest = row;
      bool inside = true;
      for (int k = nd - 2; k >= 0; --k) {
        const int64_t src = map_[k][rest % out_dims_[k]];
        rest /= out_dims_[k];
        if (src < 0) inside = false;
        off += src * in_strides_[k];
      }
      if (!inside) {
        for (int64_t j = 0; j < w; ++j) dst[j] = value_;
        continue;
      }
      const T* src = x + off;
      for (int64_t j = 0; j < inner_begin_; ++j) dst[j] = last[j] < 0 ? value_ : src[last[j]];
      std::memcpy(dst + inner_begin_, src, static_cast<size_t>(inner_len_) * sizeof(T));
      for (int64_t j = inner_begin_ + inner_len_; j < w; ++j)
        dst[j] = last[j] < 0 ? value_ : src[last[j]];
    }
  }

  // Border of axis k on every line whose axes before k lie in the interior: the line's extreme.
  void FillStat(T* y, int k) const {
    const int nd = static_cast<int>(out_dims_.size());
    int64_t lines_outer = 1, inner = 1;
    for (int m = 0; m < k; ++m) lines_outer *= in_dims_[m];
    for (int m = k + 1; m < nd; ++m) inner *= out_dims_[m];
    const int64_t len = out_dims_[k], b = before_[k], n = in_dims_[k];
    if (n == 0) return;
    const int64_t lines = lines_outer * inner;
#pragma omp parallel for if (lines * len > (1 << 15))
    for (int64_t line = 0; line < lines; ++line) {
      int64_t rest = line / inner, off = 0, stride = inner * len;
      for (int m = k - 1; m >= 0; --m) {
        off += (rest % in_dims_[m] + before_[m]) * stride;
        rest /= in_dims_[m];
        stride *= out_dims_[m];
      }
      T* base = y + off + line % inner;
      T v = base[b * inner];
      for (int64_t p = b; p < b + n; ++p) {
        const T e = base[p * inner];
        if (stat_ == Stat::kMax ? e > v : e < v) v = e;
      }
      for (int64_t p = 0; p < b; ++p) base[p * inner] = v;
      for (int64_t p = b + n; p < len; ++p) base[p * inner] = v;
    }
  }

  std::vector<int64_t> in_dims_;           ///< input dims
  std::vector<int64_t> in_strides_;        ///< input element stride per axis
  std::vector<int64_t> out_dims_;          ///< output dims
  std::vector<std::vector<int64_t>> map_;  ///< per axis: output index -> input index, -1 = value_
  std::vector<int64_t> before_;            ///< padding before each axis
  T value_;                  ///< the constant, in the tensor's dtype (bits for float16)
  Stat stat_;                ///< border statistic filled after the copy
  int64_t inner_begin_ = 0;  ///< padding before the last axis
  int64_t inner_len_ = 0;    ///< input length of the last axis
  int64_t rows_ = 0;         ///< product of the output dims but the last
};

/// Builds the kernel for the input's dtype; float16 (moved as bits) only without a statistic.
std::unique_ptr<Kernel> MakePad(const KernelArgs& a, std::vector<std::vector<int64_t>> maps,
                                std::vector<int64_t> before, double value, Stat stat) {
  const DType dt = a.in[0].dtype;
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  std::unique_ptr<Kernel> k;
  if (dt == DType::kFloat16 && stat == Stat::kNone) {
    // float16 is moved as its bits; the constant is rounded to half as MXNet's DType(value) does.
    const uint16_t v = FloatToHalf(static_cast<float>(value));
    return std::make_unique<PadKernel<uint16_t>>(in, out, std::move(maps), std::move(before), v,
                                                 stat);
  }
  VisitDType(dt, [&](auto x) {
    using T = decltype(x);
    if constexpr (!std::is_same_v<T, bool>) {
      k = std::make_unique<PadKernel<T>>(in, out, std::move(maps), std::move(before),
                                         static_cast<T>(value), stat);
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported) << "dtype " << DTypeName(dt) << " is not supported";
  return k;
}

std::unique_ptr<Kernel> CreatePad(const KernelArgs& a) {
  const auto& p = a.param<PadParam>();
  const Shape& in = a.in[0].shape;
  std::vector<std::vector<int64_t>> maps;
  std::vector<int64_t> before;
  for (int i = 0; i < in.ndim(); ++i) {
    const int64_t b = p.pad_width[2 * i], n = in[i];
    std::vector<int64_t> m(a.out[0].shape[i]);
    for (int64_t j = 0; j < static_cast<int64_t>(m.size()); ++j) {
      int64_t k = j - b;
      if (k < 0 || k >= n) {
        if (p.mode == PadParam::Mode::kConstant) {
          k = -1;
        } else if (p.mode == PadParam::Mode::kEdge) {
          k = k < 0 ? 0 : n - 1;
        } else {
          k = k < 0 ? -k : 2 * (n - 1) - k;
        }
      }
      m[j] = k;
    }
    maps.push_back(std::move(m));
    before.push_back(b);
  }
  return MakePad(a, std::move(maps), std::move(before), p.constant_value, Stat::kNone);
}

std::unique_ptr<Kernel> CreateNumpyPad(const KernelArgs& a) {
  const auto& p = a.param<NumpyPadParam>();
  const Shape& in = a.in[0].shape;
  std::vector<std::vector<int64_t>> maps;
  std::vector<int64_t> before;
  for (int i = 0; i < in.ndim(); ++i) {
    std::vector<int64_t> m(a.out[0].shape[i]);
    for (int64_t j = 0; j < static_cast<int64_t>(m.size()); ++j)
      m[j] = p.Source(j, in[i], p.pad_width[i][0]);
    maps.push_back(std::move(m));
    before.push_back(p.pad_width[i][0]);
  }
  Stat stat = Stat::kNone;
  if (p.mode == NumpyPadParam::Mode::kMaximum) stat = Stat::kMax;
  if (p.mode == NumpyPadParam::Mode::kMinimum) stat = Stat::kMin;
  return MakePad(a, std::move(maps), std::move(before), p.constant_values, stat);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, pad) {
  r.Add("Pad", cpu::CreatePad).DTypes(dtypes::kPlain | DTypeSet{DType::kFloat16});
  r.Add("_npi_pad", cpu::CreateNumpyPad).DTypes(dtypes::kPlain | DTypeSet{DType::kFloat16});
}

}  // namespace mxserve
