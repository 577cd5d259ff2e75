// SPDX-License-Identifier: Apache-2.0
// Owned cuDNN descriptors (tensor, filter, convolution) built from mxserve shapes. cuDNN needs at
// least 4 dimensions: 1-D spatial data gets a unit height.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <vector>

#include "base/dtype.h"
#include "base/shape.h"

namespace mxserve {
namespace cuda {

/// The cuDNN data type of float32, float16 or bfloat16; throws kUnsupported otherwise.
cudnnDataType_t CudnnType(DType dtype);

/// `dims` with a unit dimension inserted after the first two when there are only three.
std::vector<int> CudnnDims(const std::vector<int64_t>& dims);

class TensorDescriptor {
 public:
  /// A packed row-major (NCHW...) tensor of `shape`.
  TensorDescriptor(const Shape& shape, DType dtype);
  ~TensorDescriptor();
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

class FilterDescriptor {
 public:
  /// Weights (out, in / groups, spatial...) in MXNet's order.
  FilterDescriptor(const Shape& shape, DType dtype);
  ~FilterDescriptor();
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  cudnnFilterDescriptor_t get() const { return d_; }

 private:
  cudnnFilterDescriptor_t d_ = nullptr;
};

class ConvolutionDescriptor {
 public:
  /// Cross-correlation with symmetric padding over 1 to 3 spatial dims, accumulating in float32
  /// (also for float16 and bfloat16 data).
  ConvolutionDescriptor(const std::vector<int64_t>& pad, const std::vector<int64_t>& stride,
                        const std::vector<int64_t>& dilate, int64_t groups, cudnnMathType_t math);
  ~ConvolutionDescriptor();
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return d_; }

 private:
  cudnnConvolutionDescriptor_t d_ = nullptr;
};

}  // namespace cuda
}  // namespace mxserve
