// SPDX-License-Identifier: Apache-2.0
// _contrib_AdaptiveAvgPooling2D as a plain loop with MXNet's window bounds (computed in float)
// and its summation order, then sum / kW / kH.
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
  AdaptiveAvgPoolKernel(const Shape& in, const Shape& out)
      : planes_(in[0] * in[1]), ih_(in[2]), iw_(in[3]), oh_(out[2]), ow_(out[3]),
        rows_(MakeWindows(in[2], out[2])), cols_(MakeWindows(in[3], out[3])) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
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
  std::string Describe() const override { return "ref:adaptive_avg_pool"; }

 private:
  int64_t planes_, ih_, iw_, oh_, ow_;
  Windows rows_, cols_;
};

std::unique_ptr<Kernel> CreateAdaptiveAvgPool(const KernelArgs& a) {
  const DType dt = a.in[0].dtype;
  MXS_CHECK_CODE(dt == DType::kFloat32 || dt == DType::kBfloat16, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(dt)
      << " is not supported (float32 only)";
  return AdaptToLayouts(std::make_unique<AdaptiveAvgPoolKernel>(a.in[0].shape, a.out[0].shape), a);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, adaptive_pooling) {
  r.Add("_contrib_AdaptiveAvgPooling2D", cpu::CreateAdaptiveAvgPool);
}

}  // namespace mxserve
