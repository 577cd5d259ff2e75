// SPDX-License-Identifier: Apache-2.0
// ConvStage.
#include "backends/cuda/conv_stage.h"

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {

ConvStage::ConvStage(const ConvStageSpec& spec)
    : spec_(spec),
      x_(spec.in, spec.dtype, spec.layout),
      y_(spec.out, spec.dtype, spec.layout),
      w_(spec.weight, spec.dtype, spec.layout),
      conv_(spec.pad, spec.stride, spec.dilate, spec.groups, ConvMathFor(spec.dtype)) {
  channels_ = spec.out[1];
  // The epilogue's channel of element i is (i / inner) % channels.
  inner_ = spec.layout == Layout::kChannelsLast ? 1 : ShapeProduct(spec.out, 2, spec.out.ndim());
  const auto choice =
      CachedAlgorithm<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT>(
          spec, "convolution", [&](cudnnHandle_t h, int count, int* found, auto* perf) {
            return cudnnFindConvolutionForwardAlgorithm(h, x_.get(), w_.get(), conv_.get(),
                                                        y_.get(), count, found, perf);
          });
  algo_ = choice.algo;
  workspace_ = choice.workspace;
  tf32_ = spec.dtype == DType::kFloat32 && choice.math != CUDNN_FMA_MATH;
  MXS_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_.get(), choice.math));
}

void ConvStage::Run(const CudaStream& s, const void* x, const void* w, const float* bias, void* y,
                    const void* residual, bool accumulate, void* workspace) const {
  const float one = 1.f, beta = accumulate ? 1.f : 0.f;
  MXS_CUDNN_CHECK(cudnnConvolutionForward(s.cudnn(), &one, x_.get(), x, w_.get(), w, conv_.get(),
                                          algo_, workspace, workspace_, &beta, y_.get(), y));
  AffineEltwiseArgs e;
  e.epilogue = spec_.epilogue;
  if (accumulate) {  // cuDNN did the first step, the residual sum
    e.epilogue.num_steps = 0;
    for (int i = 1; i < spec_.epilogue.num_steps; ++i) e.epilogue.Append(spec_.epilogue.steps[i]);
  }
  if (bias == nullptr && e.epilogue.empty()) return;
  e.dtype = spec_.dtype;
  e.x = y;
  e.y = y;
  e.n = spec_.out.Size();
  e.channels = channels_;
  e.inner = inner_;
  e.shift = bias;
  e.residual = residual;
  AffineEltwise(e, s.get());
}

std::string ConvStage::Describe() const {
  static const char* kNames[] = {"implicit_gemm", "implicit_precomp_gemm", "gemm", "direct",
                                 "fft", "fft_tiling", "winograd", "winograd_nonfused"};
  const int a = static_cast<int>(algo_);
  std::string name = a >= 0 && a < 8 ? kNames[a] : "algo" + std::to_string(a);
  return "cudnn:" + name + (tf32_ ? ":tf32" : "") +
         (spec_.layout == Layout::kChannelsLast ? ":nhwc" : "");
}

}  // namespace cuda
}  // namespace mxserve
