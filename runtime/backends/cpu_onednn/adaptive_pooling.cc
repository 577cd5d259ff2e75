// SPDX-License-Identifier: Apache-2.0
// _contrib_AdaptiveAvgPooling2D as a plain loop with MXNet's window bounds (computed in float)
// and its summation order, then sum / kW / kH. Row-major data is walked plane by plane,
// channels-last data window by window with the channels innermost (the same sums per channel).
#include "ops/adaptive_pooling.h"

#include <cmath>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"

namespace mxserve {
namespace cpu {
namespace {

/// Window [begin[i], end[i]) of each output cell along one axis.
struct Windows {
  std::vector<int64_t> begin, end;
};

Windows MakeWindows(int64_t in, int64_t out) {
  Windows w;
  for (int64_t i = 0; i < out; ++i) {
    w.begin.push_back(static_cast<int64_t>(
        std::floor(static_cast<float>(i * in) / static_cast<float>(out))));
    w.end.push_back(static_cast<int64_t>(
        std::ceil(static_cast<float>((i + 1) * in) / static_cast<float>(out))));
  }
  return w;
}

class AdaptiveAvgPoolKernel final : public Kernel {
 public:
  AdaptiveAvgPoolKernel(const Shape& in, const Shape& out, bool channels_last)
      : batch_(in[0]), channels_(in[1]), planes_(in[0] * in[1]), ih_(in[2]), iw_(in[3]),
        oh_(out[2]), ow_(out[3]), channels_last_(channels_last),
        rows_(MakeWindows(in[2], out[2])), cols_(MakeWindows(in[3], out[3])) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
    if (channels_last_) {
      RunChannelsLast(x, y);
      return;
    }
#pragma omp parallel for
    for (int64_t c = 0; c < planes_; ++c) {
      const float* xp = x + c * ih_ * iw_;
      float* yp = y + c * oh_ * ow_;
      for (int64_t oh = 0; oh < oh_; ++oh) {
        const int64_t h0 = rows_.begin[oh], kh = rows_.end[oh] - h0;
        for (int64_t ow = 0; ow < ow_; ++ow) {
          const int64_t w0 = cols_.begin[ow], kw = cols_.end[ow] - w0;
          float sum = 0.f;
          for (int64_t h = 0; h < kh; ++h) {
            const float* row = xp + (h0 + h) * iw_ + w0;
            for (int64_t w = 0; w < kw; ++w) sum += row[w];
          }
          yp[oh * ow_ + ow] = sum / static_cast<float>(kw) / static_cast<float>(kh);
        }
      }
    }
  }
  std::string Describe() const override {
    return channels_last_ ? "ref:adaptive_avg_pool_nhwc" : "ref:adaptive_avg_pool";
  }

 private:
  void RunChannelsLast(const float* x, float* y) const {
    const int64_t c_n = channels_;
#pragma omp parallel for collapse(3)
    for (int64_t n = 0; n < batch_; ++n) {
      for (int64_t oh = 0; oh < oh_; ++oh) {
        for (int64_t ow = 0; ow < ow_; ++ow) {
          const int64_t h0 = rows_.begin[oh], kh = rows_.end[oh] - h0;
          const int64_t w0 = cols_.begin[ow], kw = cols_.end[ow] - w0;
          float* yp = y + ((n * oh_ + oh) * ow_ + ow) * c_n;
          for (int64_t c = 0; c < c_n; ++c) yp[c] = 0.f;
          for (int64_t h = 0; h < kh; ++h) {
            for (int64_t w = 0; w < kw; ++w) {
              const float* xp = x + ((n * ih_ + h0 + h) * iw_ + w0 + w) * c_n;
              for (int64_t c = 0; c < c_n; ++c) yp[c] += xp[c];
            }
          }
          for (int64_t c = 0; c < c_n; ++c)
            yp[c] = yp[c] / static_cast<float>(kw) / static_cast<float>(kh);
        }
      }
    }
  }

  int64_t batch_, channels_, planes_, ih_, iw_, oh_, ow_;
  bool channels_last_;  ///< data and output are NHWC
  Windows rows_, cols_;
};

std::unique_ptr<Kernel> CreateAdaptiveAvgPool(const KernelArgs& a) {
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(dt)
      << " is not supported (float32 only)";
  // Registered kSameLayout: data and output share one layout.
  MXS_CHECK_CODE(a.out[0].layout == a.in[0].layout, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": data and output layouts differ";
  return std::make_unique<AdaptiveAvgPoolKernel>(a.in[0].shape, a.out[0].shape,
                                                 a.in[0].layout == Layout::kChannelsLast);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, adaptive_pooling) {
  r.Add("_contrib_AdaptiveAvgPooling2D", cpu::CreateAdaptiveAvgPool, Backend::kSameLayout);
}

}  // namespace mxserve
