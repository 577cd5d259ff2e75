// SPDX-License-Identifier: Apache-2.0
// ROIPooling on float32 in plain C++: region corners rounded to feature-map cells, bins split
// with floor/ceil, max over each bin starting from -FLT_MAX; empty bins and regions whose batch
// index is outside the batch give 0 (MXNet's rules).
#include "ops/roi_pooling.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

class RoiPoolingKernel final : public Kernel {
 public:
  RoiPoolingKernel(const RoiPoolingParam& p, const Shape& data, int64_t rois)
      : p_(p),
        batch_(data[0]),
        channels_(data[1]),
        height_(data[2]),
        width_(data[3]),
        rois_(rois) {}

  void Run(const RunArgs& args) const override {
    const float* data = static_cast<const float*>(args.in[0]);
    const float* rois = static_cast<const float*>(args.in[1]);
    float* out = static_cast<float*>(args.out[0]);
    const int64_t bins = p_.pooled_h * p_.pooled_w;
#pragma omp parallel for collapse(2) if (rois_ * channels_ > 1)
    for (int64_t n = 0; n < rois_; ++n) {
      for (int64_t c = 0; c < channels_; ++c) {
        RunPlane(data, rois + n * 5, c, out + (n * channels_ + c) * bins);
      }
    }
  }

  std::string Describe() const override { return "ref:roi_pooling"; }

 private:
  void RunPlane(const float* data, const float* roi, int64_t c, float* out) const {
    const float s = p_.spatial_scale;
    const int start_w = static_cast<int>(std::round(roi[1] * s));
    const int start_h = static_cast<int>(std::round(roi[2] * s));
    const int end_w = static_cast<int>(std::round(roi[3] * s));
    const int end_h = static_cast<int>(std::round(roi[4] * s));
    const int b = static_cast<int>(roi[0]);
    const bool invalid = b < 0 || b >= batch_;
    const int roi_h = std::max(end_h - start_h + 1, 1);
    const int roi_w = std::max(end_w - start_w + 1, 1);
    const int ph_n = static_cast<int>(p_.pooled_h), pw_n = static_cast<int>(p_.pooled_w);
    const float bin_h = static_cast<float>(roi_h) / static_cast<float>(ph_n);
    const float bin_w = static_cast<float>(roi_w) / static_cast<float>(pw_n);
    const int height = static_cast<int>(height_), width = static_cast<int>(width_);
    const float* plane = invalid ? nullptr : data + (b * channels_ + c) * height_ * width_;
    for (int ph = 0; ph < ph_n; ++ph) {
      for (int pw = 0; pw < pw_n; ++pw) {
        int hs = static_cast<int>(std::floor(static_cast<float>(ph) * bin_h));
        int ws = static_cast<int>(std::floor(static_cast<float>(pw) * bin_w));
        int he = static_cast<int>(std::ceil(static_cast<float>(ph + 1) * bin_h));
        int we = static_cast<int>(std::ceil(static_cast<float>(pw + 1) * bin_w));
        hs = std::min(std::max(hs + start_h, 0), height);
        he = std::min(std::max(he + start_h, 0), height);
        ws = std::min(std::max(ws + start_w, 0), width);
        we = std::min(std::max(we + start_w, 0), width);
        float& o = out[ph * pw_n + pw];
        if (invalid || he <= hs || we <= ws) {
          o = 0.f;
          continue;
        }
        float m = -FLT_MAX;
        for (int h = hs; h < he; ++h)
          for (int w = ws; w < we; ++w) m = std::max(m, plane[static_cast<int64_t>(h) * width + w]);
        o = m;
      }
    }
  }

  RoiPoolingParam p_;
  int64_t batch_, channels_, height_, width_;  ///< feature map shape
  int64_t rois_;                               ///< number of regions
};

std::unique_ptr<Kernel> CreateRoiPooling(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 inputs are supported, got " << DTypeName(t.dtype);
  return std::make_unique<RoiPoolingKernel>(a.param<RoiPoolingParam>(), a.in[0].shape,
                                            a.in[1].shape[0]);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, roi_pooling) { r.Add("ROIPooling", cpu::CreateRoiPooling); }

}  // namespace mxserve
