// SPDX-License-Identifier: Apache-2.0
// cuDNN descriptors.
#include "backends/cuda/cudnn_desc.h"

#include <limits>
#include <map>
#include <sstream>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/math_mode.h"
#include "backends/layouts.h"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

int ToInt(int64_t v) {
  MXS_CHECK_CODE(v >= 0 && v <= std::numeric_limits<int>::max(), kUnsupported)
      << "dimension " << v << " is beyond cuDNN's int range";
  return static_cast<int>(v);
}

}  // namespace

std::string ConvGeometry::Key(int device) const {
  std::ostringstream k;
  k << device << '|' << in.ToString() << '|' << weight.ToString() << '|' << out.ToString() << '|'
    << DTypeName(dtype) << '|' << groups << '|' << static_cast<int>(layout);
  for (auto v : pad) k << ',' << v;
  k << '|';
  for (auto v : stride) k << ',' << v;
  k << '|';
  for (auto v : dilate) k << ',' << v;
  return k.str();
}

bool ExactFloat32(DType dtype) { return dtype == DType::kFloat32 && !Tf32Requested(); }

cudnnMathType_t ConvMathFor(DType dtype) {
  if (dtype != DType::kFloat32) return CUDNN_TENSOR_OP_MATH;
  // CUDNN_DEFAULT_MATH lets float32 use TF32 tensor cores on compute capability 8.0 and later.
  return Tf32Requested() ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
}

std::mutex& CudnnBindMutex() {
  static std::mutex mu;
  return mu;
}

cudnnHandle_t CudnnBindHandle(int device) {
  static std::map<int, cudnnHandle_t> handles;
  auto it = handles.find(device);
  if (it != handles.end()) return it->second;
  cudnnHandle_t h = nullptr;
  MXS_CUDNN_CHECK(cudnnCreate(&h));
  handles.emplace(device, h);
  return h;
}

cudnnDataType_t CudnnType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return CUDNN_DATA_FLOAT;
    case DType::kFloat16: return CUDNN_DATA_HALF;
    case DType::kBfloat16: return CUDNN_DATA_BFLOAT16;
    default:
      MXS_THROW(kUnsupported) << "cuDNN kernels take float32, float16 or bfloat16, not "
                              << DTypeName(dtype);
  }
}

std::vector<int> CudnnDims(const std::vector<int64_t>& dims) {
  std::vector<int> out;
  for (int64_t d : dims) out.push_back(ToInt(d));
  if (out.size() == 3) out.insert(out.begin() + 2, 1);
  return out;
}

TensorDescriptor::TensorDescriptor(const Shape& shape, DType dtype, Layout layout) {
  // cuDNN refuses a zero dim (CUDNN_STATUS_BAD_PARAM); refusing here sends the node to the host.
  MXS_CHECK_CODE(shape.Size() > 0, kUnsupported)
      << "cuDNN takes no empty tensor (shape " << shape.ToString() << ")";
  // The strides of the shape cuDNN sees: a unit height in 1-D data, unit trailing dims below 4.
  std::vector<int> dims = CudnnDims(shape.dims());
  while (dims.size() < 4) dims.push_back(1);
  std::vector<int64_t> wide(dims.begin(), dims.end());
  const Layout l =
      layout == Layout::kChannelsLast && shape.ndim() >= 3 ? layout : Layout::kRowMajor;
  std::vector<int> strides;
  for (int64_t st : LayoutStrides(Shape(wide), l)) strides.push_back(ToInt(st));
  MXS_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d_));
  MXS_CUDNN_CHECK(cudnnSetTensorNdDescriptor(d_, CudnnType(dtype), static_cast<int>(dims.size()),
                                             dims.data(), strides.data()));
}

TensorDescriptor::~TensorDescriptor() {
  if (d_ != nullptr) cudnnDestroyTensorDescriptor(d_);
}

FilterDescriptor::FilterDescriptor(const Shape& shape, DType dtype, Layout layout) {
  std::vector<int> dims = CudnnDims(shape.dims());
  const cudnnTensorFormat_t format =
      layout == Layout::kChannelsLast ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  MXS_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d_));
  MXS_CUDNN_CHECK(cudnnSetFilterNdDescriptor(d_, CudnnType(dtype), format,
                                             static_cast<int>(dims.size()), dims.data()));
}

FilterDescriptor::~FilterDescriptor() {
  if (d_ != nullptr) cudnnDestroyFilterDescriptor(d_);
}

ConvolutionDescriptor::ConvolutionDescriptor(const std::vector<int64_t>& pad,
                                             const std::vector<int64_t>& stride,
                                             const std::vector<int64_t>& dilate, int64_t groups,
                                             cudnnMathType_t math) {
  std::vector<int> p, s, d;
  for (size_t i = 0; i < pad.size(); ++i) {
    p.push_back(ToInt(pad[i]));
    s.push_back(ToInt(stride[i]));
    d.push_back(ToInt(dilate[i]));
  }
  if (p.size() == 1) {  // 1-D: a unit height in front
    p.insert(p.begin(), 0);
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
  }
  MXS_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d_));
  MXS_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(d_, static_cast<int>(p.size()), p.data(),
                                                  s.data(), d.data(), CUDNN_CROSS_CORRELATION,
                                                  CUDNN_DATA_FLOAT));
  MXS_CUDNN_CHECK(cudnnSetConvolutionGroupCount(d_, ToInt(groups)));
  MXS_CUDNN_CHECK(cudnnSetConvolutionMathType(d_, math));
}

ConvolutionDescriptor::~ConvolutionDescriptor() {
  if (d_ != nullptr) cudnnDestroyConvolutionDescriptor(d_);
}

}  // namespace cuda
}  // namespace mxserve
