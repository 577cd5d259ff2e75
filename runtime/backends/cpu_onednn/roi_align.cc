// SPDX-License-Identifier: Apache-2.0
// ROIAlign on float32 in plain C++, one region per iteration of a parallel loop. Each sample
// point's bilinear weights are computed once and applied to every channel; every output sums its
// samples in MXNet's order (rows, then columns of the sampling grid) and divides by their count,
// so the float results match MXNet's. A region whose batch index is negative or past the batch
// gives zeros. The grid, sample and tap arithmetic is ops/roi_align.h's, shared with CUDA.
#include "ops/roi_align.h"

#include <algorithm>
#include <cstdint>

#include "backends/backend.h"
#include "base/error.h"

namespace mxserve {
namespace cpu {
namespace {

class RoiAlignKernel final : public Kernel {
 public:
  RoiAlignKernel(const RoiAlignParam& p, const Shape& data, int64_t rois, int64_t out_channels)
      : p_(p),
        batch_(data[0]),
        height_(data[2]),
        width_(data[3]),
        rois_(rois),
        channels_(out_channels) {}

  void Run(const RunArgs& args) const override {
    const float* data = static_cast<const float*>(args.in[0]);
    const float* rois = static_cast<const float*>(args.in[1]);
    float* out = static_cast<float*>(args.out[0]);
#pragma omp parallel for schedule(dynamic)
    for (int64_t n = 0; n < rois_; ++n)
      RunRoi(data, rois + n * 5, out + n * channels_ * p_.pooled_h * p_.pooled_w);
  }

  std::string Describe() const override { return "ref:roi_align"; }

 private:
  void RunRoi(const float* data, const float* roi, float* out) const {
    const int ph_n = static_cast<int>(p_.pooled_h), pw_n = static_cast<int>(p_.pooled_w);
    const int64_t bins = static_cast<int64_t>(ph_n) * pw_n;
    std::fill(out, out + channels_ * bins, 0.f);
    const int b = static_cast<int>(roi[0]);
    if (b < 0 || b >= batch_) return;
    const RoiAlignGrid g = RoiAlignGridOf(roi, p_.spatial_scale, p_.aligned, ph_n, pw_n,
                                          p_.sample_ratio);
    const int grid_h = g.grid_h, grid_w = g.grid_w;
    const float count = static_cast<float>(grid_h * grid_w);
    const int height = static_cast<int>(height_), width = static_cast<int>(width_);
    const int64_t plane = height_ * width_;
    const int64_t in_channels = p_.position_sensitive ? channels_ * bins : channels_;
    const float* batch_data = data + b * in_channels * plane;
    for (int ph = 0; ph < ph_n; ++ph) {
      for (int pw = 0; pw < pw_n; ++pw) {
        const int64_t bin = static_cast<int64_t>(ph) * pw_n + pw;
        for (int iy = 0; iy < grid_h; ++iy) {
          const float yy = RoiAlignSample(g.start_h, ph, g.bin_h, iy, grid_h);
          for (int ix = 0; ix < grid_w; ++ix) {
            const float xx = RoiAlignSample(g.start_w, pw, g.bin_w, ix, grid_w);
            int64_t pos[4];
            float wt[4];
            RoiAlignTaps(yy, xx, height, width, pos, wt);
            for (int64_t c = 0; c < channels_; ++c) {
              const int64_t c_in = p_.position_sensitive ? c * bins + bin : c;
              const float* d = batch_data + c_in * plane;
              out[c * bins + bin] += RoiAlignTapSum(d, pos, wt);
            }
          }
        }
        for (int64_t c = 0; c < channels_; ++c) out[c * bins + bin] /= count;
      }
    }
  }

  RoiAlignParam p_;
  int64_t batch_, height_, width_;  ///< feature map batch and spatial size
  int64_t rois_;                    ///< number of regions
  int64_t channels_;                ///< output channels
};

std::unique_ptr<Kernel> CreateRoiAlign(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 inputs are supported, got " << DTypeName(t.dtype);
  return std::make_unique<RoiAlignKernel>(a.param<RoiAlignParam>(), a.in[0].shape, a.in[1].shape[0],
                                          a.out[0].shape[1]);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, roi_align) { r.Add("_contrib_ROIAlign", cpu::CreateRoiAlign); }

}  // namespace mxserve
