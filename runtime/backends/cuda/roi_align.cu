// SPDX-License-Identifier: Apache-2.0
// _contrib_ROIAlign on float32 (sample_ratio, position_sensitive, aligned): one thread per
// output element (region, channel, bin). Each thread walks its bin's sampling grid in the CPU
// kernel's order (rows, then columns), computes every sample's bilinear neighbours and weights
// with the CPU kernel's RoiAlignTaps / RoiAlignTapSum (ops/roi_align.h: each product and sum
// rounded separately, no fused multiply-add), adds the weighted taps onto a float32 sum starting
// at zero and divides by the sample count. A region whose batch index is negative, past the
// batch or NaN (INT_MIN as x86 converts it) gives zeros; a sample outside [-1, size] adds
// zero-weighted taps of the plane's first element, as on the CPU.
#include "ops/roi_align.h"

#include <memory>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

struct RoiAlignArgs {
  int64_t batch, height, width;  ///< feature map
  int64_t channels;              ///< output channels
  int pooled_h, pooled_w;
  float spatial_scale;
  int sample_ratio;              ///< <= 0: ceil(region size / bins) per axis
  bool position_sensitive, aligned;
};

/// The weighted bilinear taps of point (y, x) on one plane.
__device__ __forceinline__ float Sample(const float* d, float y, float x, int height, int width) {
  int64_t pos[4];
  float wt[4];
  RoiAlignTaps(y, x, height, width, pos, wt);
  return RoiAlignTapSum(d, pos, wt);
}

__global__ void RoiAlignKernel(const float* data, const float* rois, float* out, int64_t total,
                               RoiAlignArgs p) {
  MXS_GRID_STRIDE(i, total) {
    const int pw = static_cast<int>(i % p.pooled_w);
    int64_t rest = i / p.pooled_w;
    const int ph = static_cast<int>(rest % p.pooled_h);
    rest /= p.pooled_h;
    const int64_t c = rest % p.channels;
    const int64_t n = rest / p.channels;
    const float* roi = rois + n * 5;
    const int b = CpuIntOf(roi[0]);
    if (b < 0 || b >= p.batch) {
      out[i] = 0.f;
      continue;
    }
    const RoiAlignGrid g = RoiAlignGridOf(roi, p.spatial_scale, p.aligned, p.pooled_h,
                                          p.pooled_w, p.sample_ratio);
    const int grid_h = g.grid_h, grid_w = g.grid_w;
    const float count = static_cast<float>(grid_h * grid_w);
    const int64_t bins = static_cast<int64_t>(p.pooled_h) * p.pooled_w;
    const int64_t bin = static_cast<int64_t>(ph) * p.pooled_w + pw;
    const int64_t in_channels = p.position_sensitive ? p.channels * bins : p.channels;
    const int64_t c_in = p.position_sensitive ? c * bins + bin : c;
    const int64_t plane = p.height * p.width;
    const float* d = data + (b * in_channels + c_in) * plane;
    const int height = static_cast<int>(p.height), width = static_cast<int>(p.width);
    float acc = 0.f;
    for (int iy = 0; iy < grid_h; ++iy) {
      const float yy = RoiAlignSample(g.start_h, ph, g.bin_h, iy, grid_h);
      for (int ix = 0; ix < grid_w; ++ix) {
        const float xx = RoiAlignSample(g.start_w, pw, g.bin_w, ix, grid_w);
        acc = __fadd_rn(acc, Sample(d, yy, xx, height, width));
      }
    }
    out[i] = __fdiv_rn(acc, count);
  }
}

class RoiAlignCuda final : public Kernel {
 public:
  RoiAlignCuda(const RoiAlignArgs& p, int64_t total) : p_(p), total_(total) {}
  void Run(const RunArgs& args) const override {
    if (total_ == 0) return;
    RoiAlignKernel<<<GridFor(total_), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<float*>(args.out[0]), total_, p_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:roi_align"; }

 private:
  RoiAlignArgs p_;
  int64_t total_;  ///< output elements
};

std::unique_ptr<Kernel> CreateRoiAlign(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& param = a.param<RoiAlignParam>();
  const Shape& data = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  RoiAlignArgs p;
  p.batch = data[0];
  p.height = data[2];
  p.width = data[3];
  p.channels = out[1];
  p.pooled_h = static_cast<int>(param.pooled_h);
  p.pooled_w = static_cast<int>(param.pooled_w);
  p.spatial_scale = param.spatial_scale;
  p.sample_ratio = param.sample_ratio;
  p.position_sensitive = param.position_sensitive;
  p.aligned = param.aligned;
  // Every sample reads the feature map, even at zero weight.
  MXS_CHECK_CODE((p.height > 0 && p.width > 0) || out.Size() == 0, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": an empty feature map";
  return std::make_unique<RoiAlignCuda>(p, out.Size());
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, roi_align) { r.Add("_contrib_ROIAlign", cuda::CreateRoiAlign); }

}  // namespace mxserve
