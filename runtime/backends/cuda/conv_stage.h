// SPDX-License-Identifier: Apache-2.0
// ConvStage: one cuDNN convolution with its bias and fused element-wise epilogue, the building
// block of the CUDA Convolution kernel (a fused 1x1 + depthwise pair is two stages). The
// algorithm is chosen once per shape at bind time (cudnnFind, cached process-wide); float32 data
// uses exact FMA math, float16 and bfloat16 data tensor cores. Data, output and residual share
// the spec's layout; channels-last takes the weight in cuDNN's NHWC filter order.
#pragma once

#include <memory>
#include <string>

#include "backends/cuda/cudnn_desc.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/eltwise.h"

namespace mxserve {
namespace cuda {

class CudaStream;

struct ConvStageSpec : ConvGeometry {
  Epilogue epilogue;  ///< applied after the bias (sum steps read the residual)
};

class ConvStage {
 public:
  /// Builds the descriptors and finds the algorithm on the current device.
  explicit ConvStage(const ConvStageSpec& spec);
  /// cuDNN workspace bytes.
  size_t workspace_bytes() const { return workspace_; }
  /// y = epilogue(conv(x, w) + bias); with `accumulate` y must hold the residual and the first
  /// epilogue step (a sum) is done by cuDNN itself. bias is float32 per channel or null.
  void Run(const CudaStream& s, const void* x, const void* w, const float* bias, void* y,
           const void* residual, bool accumulate, void* workspace) const;
  std::string Describe() const;

 private:
  ConvStageSpec spec_;
  TensorDescriptor x_, y_;
  FilterDescriptor w_;
  ConvolutionDescriptor conv_;
  cudnnConvolutionFwdAlgo_t algo_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace_ = 0;
  bool tf32_ = false;                  ///< float32 on TF32 tensor cores (MXSERVE_CUDA_TF32)
  int64_t channels_ = 0, inner_ = 0;   ///< output channel count and spatial size
};

}  // namespace cuda
}  // namespace mxserve
