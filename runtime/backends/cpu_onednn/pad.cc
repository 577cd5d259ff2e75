// SPDX-License-Identifier: Apache-2.0
// Pad: each output index of each axis maps to an input index (clamped for edge, mirrored without
// repeating the border for reflect) or to the constant. Rows whose outer indices all map inside
// copy their interior with one memcpy and fill the two borders.
#include "ops/pad.h"

#include <cstring>
#include <type_traits>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

template <typename T>
class PadKernel final : public Kernel {
 public:
  PadKernel(const Shape& in, const Shape& out, const PadParam& p, T value)
      : in_strides_(in.ndim(), 1), out_dims_(out.dims()), value_(value) {
    const int nd = in.ndim();
    for (int i = nd - 2; i >= 0; --i) in_strides_[i] = in_strides_[i + 1] * in[i + 1];
    for (int i = 0; i < nd; ++i) {
      std::vector<int64_t> m(out[i]);
      const int64_t before = p.pad_width[2 * i], n = in[i];
      for (int64_t j = 0; j < out[i]; ++j) {
        int64_t k = j - before;
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
      map_.push_back(std::move(m));
    }
    inner_begin_ = p.pad_width[2 * nd - 2];
    inner_len_ = in[nd - 1];
    rows_ = 1;
    for (int i = 0; i < nd - 1; ++i) rows_ *= out[i];
  }

  void Run(const RunArgs& args) const override {
    const T* x = static_cast<const T*>(args.in[0]);
    T* y = static_cast<T*>(args.out[0]);
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
      for (int64_t j = inner_begin_ + inner_len_; j < w; ++j) dst[j] = last[j] < 0 ? value_ : src[last[j]];
    }
  }
  std::string Describe() const override { return "ref:pad"; }

 private:
  std::vector<int64_t> in_strides_;          ///< input element stride per axis
  std::vector<int64_t> out_dims_;            ///< output dims
  std::vector<std::vector<int64_t>> map_;    ///< per axis: output index -> input index, -1 = constant
  T value_;                                  ///< the constant, in the tensor's dtype (bits for float16)
  int64_t inner_begin_ = 0;                  ///< padding before the last axis
  int64_t inner_len_ = 0;                    ///< input length of the last axis
  int64_t rows_ = 0;                         ///< product of the output dims but the last
};

std::unique_ptr<Kernel> CreatePad(const KernelArgs& a) {
  const auto& p = a.param<PadParam>();
  const DType dt = a.in[0].dtype;
  std::unique_ptr<Kernel> k;
  if (dt == DType::kFloat16) {
    // float16 is moved as its bits; the constant is rounded to half as MXNet's DType(value) does.
    const uint16_t v = FloatToHalf(static_cast<float>(p.constant_value));
    return std::make_unique<PadKernel<uint16_t>>(a.in[0].shape, a.out[0].shape, p, v);
  }
  VisitDType(dt, [&](auto x) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      k = std::make_unique<PadKernel<T>>(a.in[0].shape, a.out[0].shape, p, static_cast<T>(p.constant_value));
    }
  });
  MXS_CHECK_CODE(k != nullptr, kUnsupported) << "dtype " << DTypeName(dt) << " is not supported";
  return k;
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, pad) { r.Add("Pad", cpu::CreatePad); }

}  // namespace mxserve
