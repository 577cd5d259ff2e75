// SPDX-License-Identifier: Apache-2.0
// _contrib_BilinearResize2D as a plain loop with MXNet's source-index formula
// (area_pixel_compute_source_index, computed in the same float/double steps); oneDNN's
// resampling maps coordinates differently when align_corners is true. Row-major data is
// walked plane by plane, channels-last data pixel by pixel with the channels innermost.
#include "ops/bilinear_resize.h"

#include <cstring>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {
namespace {

/// Per output row or column: the first source index, the offset to the second one (0 at the
/// border) and the weight of the second one.
struct Taps {
  std::vector<int64_t> index, next;
  std::vector<float> lambda;
};

Taps MakeTaps(int64_t in, int64_t out, bool align_corners) {
  float scale = 0.f;
  if (out > 1)
    scale = align_corners ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                          : static_cast<float>(in) / static_cast<float>(out);
  Taps t;
  for (int64_t o = 0; o < out; ++o) {
    float src;
    if (align_corners) {
      src = scale * static_cast<float>(o);
    } else {
      src = static_cast<float>(scale * (static_cast<double>(o) + 0.5) - 0.5);
      if (src < 0) src = 0;
    }
    const int64_t i = static_cast<int>(src);
    t.index.push_back(i);
    t.next.push_back(i < in - 1 ? 1 : 0);
    t.lambda.push_back(src - static_cast<float>(i));
  }
  return t;
}

class BilinearResizeKernel final : public Kernel {
 public:
  BilinearResizeKernel(const Shape& in, const Shape& out, bool align_corners, bool channels_last)
      : batch_(in[0]), channels_(in[1]), planes_(in[0] * in[1]), ih_(in[2]), iw_(in[3]),
        oh_(out[2]), ow_(out[3]), channels_last_(channels_last),
        rows_(MakeTaps(in[2], out[2], align_corners)),
        cols_(MakeTaps(in[3], out[3], align_corners)) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
    if (ih_ == oh_ && iw_ == ow_) {
      std::memcpy(y, x, static_cast<size_t>(planes_ * ih_ * iw_) * sizeof(float));
      return;
    }
    if (channels_last_) {
      RunChannelsLast(x, y);
      return;
    }
#pragma omp parallel for collapse(2)
    for (int64_t c = 0; c < planes_; ++c) {
      for (int64_t h = 0; h < oh_; ++h) {
        const float* xp = x + c * ih_ * iw_;
        float* yr = y + (c * oh_ + h) * ow_;
        const float h1l = rows_.lambda[h], h0l = 1.f - h1l;
        const float* r0 = xp + rows_.index[h] * iw_;
        const float* r1 = r0 + rows_.next[h] * iw_;
        for (int64_t w = 0; w < ow_; ++w) {
          const float w1l = cols_.lambda[w], w0l = 1.f - w1l;
          const int64_t i0 = cols_.index[w], i1 = i0 + cols_.next[w];
          yr[w] = h0l * (w0l * r0[i0] + w1l * r0[i1]) + h1l * (w0l * r1[i0] + w1l * r1[i1]);
        }
      }
    }
  }
  std::string Describe() const override {
    return channels_last_ ? "ref:bilinear_resize_nhwc" : "ref:bilinear_resize";
  }

 private:
  void RunChannelsLast(const float* x, float* y) const {
    const int64_t c_n = channels_;
#pragma omp parallel for collapse(2)
    for (int64_t n = 0; n < batch_; ++n) {
      for (int64_t h = 0; h < oh_; ++h) {
        const float* xn = x + n * ih_ * iw_ * c_n;
        const float h1l = rows_.lambda[h], h0l = 1.f - h1l;
        const float* r0 = xn + rows_.index[h] * iw_ * c_n;
        const float* r1 = r0 + rows_.next[h] * iw_ * c_n;
        float* yr = y + (n * oh_ + h) * ow_ * c_n;
        for (int64_t w = 0; w < ow_; ++w) {
          const float w1l = cols_.lambda[w], w0l = 1.f - w1l;
          const int64_t i0 = cols_.index[w] * c_n, i1 = i0 + cols_.next[w] * c_n;
          float* yp = yr + w * c_n;
          for (int64_t c = 0; c < c_n; ++c) {
            yp[c] = h0l * (w0l * r0[i0 + c] + w1l * r0[i1 + c]) +
                    h1l * (w0l * r1[i0 + c] + w1l * r1[i1 + c]);
          }
        }
      }
    }
  }

  int64_t batch_, channels_, planes_, ih_, iw_, oh_, ow_;
  bool channels_last_;  ///< data and output are NHWC
  Taps rows_, cols_;
};

std::unique_ptr<Kernel> CreateBilinearResize(const KernelArgs& a) {
  const auto& p = a.param<BilinearResizeParam>();
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(dt)
      << " is not supported (float32 only)";
  // Registered kSameLayout: data and output share one layout (the like input is never read).
  const bool channels_last = a.in[0].layout == Layout::kChannelsLast;
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  return std::make_unique<BilinearResizeKernel>(a.in[0].shape, a.out[0].shape, p.align_corners,
                                                channels_last);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, bilinear_resize) {
  r.Add("_contrib_BilinearResize2D", cpu::CreateBilinearResize, Backend::kSameLayout);
}

}  // namespace mxserve
