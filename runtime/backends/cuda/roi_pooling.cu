// SPDX-License-Identifier: Apache-2.0
// ROIPooling on float32 with one thread per output element (region, channel, bin), the CPU
// kernel's rules: region corners scaled and rounded half away from zero to feature-map cells,
// bins split with floor / ceil in float32 and clamped to the map, the max over each bin from
// -FLT_MAX (a NaN element never replaces the running max, as with std::max); empty bins and
// regions whose batch index is outside the batch give 0. Float-to-int conversions give INT_MIN
// for NaN and out-of-range values and int sums wrap around, as the CPU's do on x86.
#include "ops/roi_pooling.h"

#include <cfloat>
#include <cstdint>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// a + b in int with two's complement wrap-around, as the CPU's int arithmetic computes it.
__device__ __forceinline__ int WrapAdd(int a, int b) {
  return static_cast<int>(static_cast<unsigned>(a) + static_cast<unsigned>(b));
}

/// The extent hi - lo + 1 of [lo, hi] in cells, at least 1 (int arithmetic with wrap-around).
__device__ __forceinline__ int Extent(int lo, int hi) {
  const int e = static_cast<int>(static_cast<unsigned>(hi) - static_cast<unsigned>(lo) + 1u);
  return e > 1 ? e : 1;
}

__device__ __forceinline__ int ClampInt(int v, int hi) { return v < 0 ? 0 : (v > hi ? hi : v); }

struct RoiPoolArgs {
  int64_t batch, channels, height, width;
  int64_t total;  ///< regions * channels * pooled_h * pooled_w
  int pooled_h, pooled_w;
  float spatial_scale;
};

__global__ void RoiPoolingKernel(const float* data, const float* rois, float* out, RoiPoolArgs p) {
  MXS_GRID_STRIDE(i, p.total) {
    const int pw = static_cast<int>(i % p.pooled_w);
    const int ph = static_cast<int>((i / p.pooled_w) % p.pooled_h);
    const int64_t c = (i / (p.pooled_w * p.pooled_h)) % p.channels;
    const int64_t n = i / (p.pooled_w * p.pooled_h * p.channels);
    const float* roi = rois + n * 5;
    const float s = p.spatial_scale;
    const int start_w = CpuIntOf(roundf(__fmul_rn(roi[1], s)));
    const int start_h = CpuIntOf(roundf(__fmul_rn(roi[2], s)));
    const int end_w = CpuIntOf(roundf(__fmul_rn(roi[3], s)));
    const int end_h = CpuIntOf(roundf(__fmul_rn(roi[4], s)));
    const int b = CpuIntOf(roi[0]);
    const int roi_h = Extent(start_h, end_h);
    const int roi_w = Extent(start_w, end_w);
    const float bin_h = static_cast<float>(roi_h) / static_cast<float>(p.pooled_h);
    const float bin_w = static_cast<float>(roi_w) / static_cast<float>(p.pooled_w);
    const int height = static_cast<int>(p.height), width = static_cast<int>(p.width);
    const float h0 = static_cast<float>(ph), h1 = static_cast<float>(ph + 1);
    const float w0 = static_cast<float>(pw), w1 = static_cast<float>(pw + 1);
    const int hs = ClampInt(WrapAdd(CpuIntOf(floorf(__fmul_rn(h0, bin_h))), start_h), height);
    const int ws = ClampInt(WrapAdd(CpuIntOf(floorf(__fmul_rn(w0, bin_w))), start_w), width);
    const int he = ClampInt(WrapAdd(CpuIntOf(ceilf(__fmul_rn(h1, bin_h))), start_h), height);
    const int we = ClampInt(WrapAdd(CpuIntOf(ceilf(__fmul_rn(w1, bin_w))), start_w), width);
    if (b < 0 || b >= p.batch || he <= hs || we <= ws) {
      out[i] = 0.f;
      continue;
    }
    const float* plane = data + (b * p.channels + c) * p.height * p.width;
    float m = -FLT_MAX;
    for (int h = hs; h < he; ++h) {
      for (int w = ws; w < we; ++w) {
        const float v = plane[static_cast<int64_t>(h) * width + w];
        m = m < v ? v : m;
      }
    }
    out[i] = m;
  }
}

class RoiPoolingCuda final : public Kernel {
 public:
  explicit RoiPoolingCuda(const RoiPoolArgs& p) : p_(p) {}
  void Run(const RunArgs& args) const override {
    if (p_.total == 0) return;
    RoiPoolingKernel<<<GridFor(p_.total), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<float*>(args.out[0]), p_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:roi_pooling"; }

 private:
  RoiPoolArgs p_;
};

std::unique_ptr<Kernel> CreateRoiPooling(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& prm = a.param<RoiPoolingParam>();
  const Shape& d = a.in[0].shape;
  RoiPoolArgs p;
  p.batch = d[0];
  p.channels = d[1];
  p.height = d[2];
  p.width = d[3];
  p.pooled_h = static_cast<int>(prm.pooled_h);
  p.pooled_w = static_cast<int>(prm.pooled_w);
  p.spatial_scale = prm.spatial_scale;
  p.total = a.in[1].shape[0] * p.channels * prm.pooled_h * prm.pooled_w;
  return std::make_unique<RoiPoolingCuda>(p);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, roi_pooling) { r.Add("ROIPooling", cuda::CreateRoiPooling); }

}  // namespace mxserve
