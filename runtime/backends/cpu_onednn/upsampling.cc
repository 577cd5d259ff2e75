// SPDX-License-Identifier: Apache-2.0
// UpSampling: nearest as a plain loop (each input repeated by its own whole factor into its
// channel range of the output, or added onto it in sum mode), on each tensor's own layout;
// bilinear as the oneDNN deconvolution kernel with the grouped parameters MXNet derives.
#include "ops/upsampling.h"

#include <vector>

#include "backends/backend.h"
#include "backends/cpu_onednn/deconvolution.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/ncs_view.h"

namespace mxserve {
namespace cpu {
namespace {

class NearestKernel final : public Kernel {
 public:
  NearestKernel(const std::vector<TensorDesc>& in, const TensorDesc& out, bool sum)
      : out_(out.shape), out_view_(out), sum_(sum) {
    plain_ = out.layout == Layout::kRowMajor;
    for (const TensorDesc& t : in) {
      Input i{t.shape[1], t.shape[2], t.shape[3], out.shape[2] / t.shape[2], NcsView(t)};
      plain_ = plain_ && t.layout == Layout::kRowMajor;
      inputs_.push_back(i);
    }
  }

  void Run(const RunArgs& args) const override {
    float* y = static_cast<float*>(args.out[0]);
    if (!plain_) {
      RunStrided(args, y);
      return;
    }
    const int64_t batch = out_[0], oc = out_[1], oh = out_[2], ow = out_[3];
    int64_t begin = 0;
    for (size_t k = 0; k < inputs_.size(); ++k) {
      const Input& in = inputs_[k];
      const float* x = static_cast<const float*>(args.in[k]);
      const bool add = sum_ && k > 0;
      const int64_t first = sum_ ? 0 : begin;
#pragma omp parallel for collapse(3)
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < in.channels; ++c) {
          for (int64_t h = 0; h < oh; ++h) {
            const float* xr = x + ((n * in.channels + c) * in.height + h / in.scale) * in.width;
            float* yr = y + ((n * oc + first + c) * oh + h) * ow;
            if (add) {
              for (int64_t w = 0; w < ow; ++w) yr[w] += xr[w / in.scale];
            } else {
              for (int64_t w = 0; w < ow; ++w) yr[w] = xr[w / in.scale];
            }
          }
        }
      }
      begin += in.channels;
    }
  }
  std::string Describe() const override {
    return plain_ ? "ref:upsampling_nearest" : "ref:upsampling_nearest_strided";
  }

 private:
  struct Input {
    int64_t channels, height, width;
    int64_t scale;  ///< output size / input size, the same for both axes
    NcsView view;   ///< strides in the input's layout
  };

  // Any mix of layouts: pixel by pixel, the channels innermost.
  void RunStrided(const RunArgs& args, float* y) const {
    const int64_t batch = out_[0], oh = out_[2], ow = out_[3];
    int64_t begin = 0;
    for (size_t k = 0; k < inputs_.size(); ++k) {
      const Input& in = inputs_[k];
      const float* x = static_cast<const float*>(args.in[k]);
      const bool add = sum_ && k > 0;
      const int64_t first = sum_ ? 0 : begin;
#pragma omp parallel for collapse(3)
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t h = 0; h < oh; ++h) {
          for (int64_t w = 0; w < ow; ++w) {
            const int64_t src = (h / in.scale) * in.width + w / in.scale, dst = h * ow + w;
            for (int64_t c = 0; c < in.channels; ++c) {
              const float v = x[in.view.offset(n, c, src)];
              float& o = y[out_view_.offset(n, first + c, dst)];
              o = add ? o + v : v;
            }
          }
        }
      }
      begin += in.channels;
    }
  }

  Shape out_;
  NcsView out_view_;  ///< strides in the output's layout
  bool sum_;          ///< multi_input_mode sum with several inputs
  bool plain_;        ///< every tensor is row-major
  std::vector<Input> inputs_;
};

std::unique_ptr<Kernel> CreateUpSampling(const KernelArgs& a) {
  const auto& p = a.param<UpSamplingParam>();
  if (p.bilinear()) return CreateDeconvolutionKernel(a, p.Deconvolution());
  for (const TensorDesc& t : a.in) {
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": data type " << DTypeName(t.dtype)
        << " is not supported (float32 only)";
  }
  const bool sum = p.multi_input_mode == "sum" && a.in.size() > 1;
  return std::make_unique<NearestKernel>(a.in, a.out[0], sum);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, upsampling) {
  r.Add("UpSampling", cpu::CreateUpSampling, Backend::kAnyLayout);
}

}  // namespace mxserve
