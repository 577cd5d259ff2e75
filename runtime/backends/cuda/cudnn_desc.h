// SPDX-License-Identifier: Apache-2.0
// Owned cuDNN descriptors (tensor, filter, convolution) built from mxserve shapes, and what the
// bind-time algorithm searches of Convolution and Deconvolution share: the geometry and its
// cache key, the math mode, the workspace cap, one lock and one handle per device. cuDNN needs
// at least 4 dimensions: 1-D spatial data gets a unit height.
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "backends/cuda/cuda_check.h"
#include "backends/kernel.h"
#include "base/dtype.h"
#include "base/error.h"
#include "base/shape.h"

namespace mxserve {
namespace cuda {

/// The geometry of one cuDNN convolution: forward for Convolution, backward-data for
/// Deconvolution (whose `in` is the convolution's output gradient).
struct ConvGeometry {
  Shape in, weight, out;          ///< data, weight (MXNet order) and output shapes
  DType dtype = DType::kFloat32;  ///< data and weight type
  Layout layout = Layout::kRowMajor;  ///< of data and output; channels-last: NHWC filter order
  std::vector<int64_t> pad, stride, dilate;
  int64_t groups = 1;
  /// The key of an algorithm cache entry for this geometry on `device`.
  std::string Key(int device) const;
};

/// Workspace above this is never chosen by an algorithm search.
constexpr size_t kMaxConvWorkspace = size_t{1} << 30;

/// True when float32 data of this bind must use plain FMA math: always, unless the user asked
/// for TF32 (Tf32Requested, math_mode.h).
bool ExactFloat32(DType dtype);

/// Plain FMA math for float32 (TF32 tensor cores allowed only where the user asked for them),
/// tensor cores for float16 and bfloat16.
cudnnMathType_t ConvMathFor(DType dtype);

/// The first result of a cuDNN algorithm search (cudnnFind*, best first) that succeeded, fits
/// kMaxConvWorkspace and, for exact float32 (ExactFloat32), uses plain FMA math; null when none
/// does.
template <typename Perf>
const Perf* PickAlgorithm(const Perf* perf, int found, DType dtype) {
  const bool exact = ExactFloat32(dtype);
  for (int i = 0; i < found; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > kMaxConvWorkspace) continue;
    if (exact && perf[i].mathType != CUDNN_FMA_MATH) continue;
    return &perf[i];
  }
  return nullptr;
}

/// Held for the whole of a bind-time cuDNN call on the shared handle (an algorithm search and
/// its cache lookup, an RNN's setup queries).
std::mutex& CudnnBindMutex();
/// The device's cuDNN handle for bind-time calls; only with CudnnBindMutex() held.
cudnnHandle_t CudnnBindHandle(int device);

/// The cuDNN data type of float32, float16 or bfloat16; throws kUnsupported otherwise.
cudnnDataType_t CudnnType(DType dtype);

/// `dims` with a unit dimension inserted after the first two when there are only three.
std::vector<int> CudnnDims(const std::vector<int64_t>& dims);

/// What a bind-time search chose for one geometry.
template <typename Algo>
struct AlgoChoice {
  Algo algo;
  size_t workspace;
  cudnnMathType_t math;
};

/// The algorithm for `g` on the current device: cached for the process (one cache per call
/// site), else found by find(handle, kCount, &found, perf) on the shared handle under
/// CudnnBindMutex() and chosen by PickAlgorithm; kUnsupported naming `what` (e.g.
/// "convolution") when no result fits.
template <typename Perf, int kCount, typename Find>
AlgoChoice<decltype(Perf{}.algo)> CachedAlgorithm(const ConvGeometry& g, const char* what,
                                                  Find find) {
  using Choice = AlgoChoice<decltype(Perf{}.algo)>;
  int device = 0;
  MXS_CUDA_CHECK(cudaGetDevice(&device));
  static std::map<std::string, Choice> cache;
  std::lock_guard<std::mutex> lock(CudnnBindMutex());
  const std::string key = g.Key(device) + (ExactFloat32(g.dtype) ? "" : "|tf32");
  auto it = cache.find(key);
  if (it == cache.end()) {
    Perf perf[kCount];
    int found = 0;
    MXS_CUDNN_CHECK(find(CudnnBindHandle(device), kCount, &found, perf));
    const Perf* pick = PickAlgorithm(perf, found, g.dtype);
    MXS_CHECK_CODE(pick != nullptr, kUnsupported)
        << "cuDNN has no " << what << " algorithm for data " << g.in.ToString() << " and weight "
        << g.weight.ToString() << " (" << DTypeName(g.dtype) << ")";
    it = cache.emplace(key, Choice{pick->algo, pick->memory, pick->mathType}).first;
  }
  return it->second;
}

class TensorDescriptor {
 public:
  /// A packed tensor of logical `shape` stored row-major (NCHW...) or channels-last (NHWC...).
  TensorDescriptor(const Shape& shape, DType dtype, Layout layout = Layout::kRowMajor);
  ~TensorDescriptor();
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

class FilterDescriptor {
 public:
  /// Weights of logical shape (out, in / groups, spatial...), stored in MXNet's order or, for
  /// channels-last, as (out, spatial..., in / groups) (cuDNN's NHWC filter format).
  FilterDescriptor(const Shape& shape, DType dtype, Layout layout = Layout::kRowMajor);
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
