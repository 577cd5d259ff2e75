// SPDX-License-Identifier: Apache-2.0
// AffineEltwise: the one element-wise kernel behind activations, clip, BatchNorm and the fused
// epilogues of Convolution and FullyConnected.
#include "backends/cuda/eltwise.h"

#include <map>

#include "backends/cuda/cuda_check.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"

namespace mxserve {
namespace cuda {
namespace {

/// One grid-stride pass; I is the index type (32-bit where n allows: integer division is the
/// costliest part of finding an element's channel). The channel is found only where a
/// per-channel operand needs it.
template <typename T, typename I>
__global__ void AffineEltwiseKernel(const T* x, T* y, I n, I channels, I inner,
                                    const float* scale, const float* shift, const T* residual,
                                    const float* prelu_slope, Epilogue e) {
  const bool per_channel = scale != nullptr || shift != nullptr || prelu_slope != nullptr;
  const I stride = static_cast<I>(blockDim.x) * gridDim.x;
  for (I i = static_cast<I>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    I c = 0;
    if (per_channel) c = inner == 1 ? i % channels : (i / inner) % channels;
    float v = Load(x, i);
    if (scale != nullptr) v *= scale[c];
    if (shift != nullptr) v += shift[c];
    for (int s = 0; s < e.num_steps; ++s) {
      const EltStep& st = e.steps[s];
      if (st.is_sum) {
        v += Load(residual, i);
      } else if (st.alg == EltAlg::kPrelu) {
        v = v > 0.f ? v : prelu_slope[c] * v;
      } else {
        v = ApplyElt(st.alg, st.alpha, st.beta, v);
      }
    }
    Store(y, i, v);
  }
}

template <typename T, typename I>
void LaunchIndexed(const AffineEltwiseArgs& a, cudaStream_t stream) {
  AffineEltwiseKernel<T, I><<<GridFor(a.n), kThreads, 0, stream>>>(
      static_cast<const T*>(a.x), static_cast<T*>(a.y), static_cast<I>(a.n),
      static_cast<I>(a.channels), static_cast<I>(a.inner), a.scale, a.shift,
      static_cast<const T*>(a.residual), a.prelu_slope, a.epilogue);
  MXS_CUDA_CHECK_LAUNCH();
}

template <typename T>
void Launch(const AffineEltwiseArgs& a, cudaStream_t stream) {
  // 32-bit indices while i + the grid's stride (at most 2^24) cannot wrap.
  if (a.n < (int64_t{1} << 31))
    LaunchIndexed<T, uint32_t>(a, stream);
  else
    LaunchIndexed<T, int64_t>(a, stream);
}

}  // namespace

void Epilogue::Append(const EltStep& s) {
  MXS_CHECK_CODE(num_steps < kMaxEltSteps, kUnsupported)
      << "more than " << kMaxEltSteps << " fused element-wise steps";
  steps[num_steps++] = s;
}

EltAlg EltAlgOf(const std::string& name) {
  static const std::map<std::string, EltAlg> kTable = {
      {"relu", EltAlg::kRelu},         {"logistic", EltAlg::kLogistic},
      {"tanh", EltAlg::kTanh},         {"soft_relu", EltAlg::kSoftRelu},
      {"clip", EltAlg::kClip},         {"elu", EltAlg::kElu},
      {"gelu_erf", EltAlg::kGeluErf},  {"swish", EltAlg::kSwish},
      {"mish", EltAlg::kMish},         {"abs", EltAlg::kAbs},
  };
  auto it = kTable.find(name);
  MXS_CHECK_CODE(it != kTable.end(), kUnsupported)
      << "no CUDA element-wise function '" << name << "'";
  return it->second;
}

Epilogue EpilogueOf(const std::vector<ConvPostOp>& ops) {
  Epilogue e;
  for (const ConvPostOp& op : ops) {
    EltStep s;
    if (op.kind == ConvPostOp::Kind::kSum) {
      s.is_sum = 1;
    } else {
      s.alg = EltAlgOf(op.algorithm);
      s.alpha = op.alpha;
      s.beta = op.beta;
      // oneDNN's soft_relu takes alpha as a scale of the input; the fuse pass only sets 1.
      if (s.alg == EltAlg::kSoftRelu)
        MXS_CHECK_CODE(op.alpha == 1.f, kUnsupported) << "soft_relu with alpha " << op.alpha;
    }
    e.Append(s);
  }
  return e;
}

void AffineEltwise(const AffineEltwiseArgs& a, cudaStream_t stream) {
  if (a.n == 0) return;
  switch (a.dtype) {
    case DType::kFloat32: return Launch<float>(a, stream);
    case DType::kFloat16: return Launch<__half>(a, stream);
    case DType::kBfloat16: return Launch<__nv_bfloat16>(a, stream);
    default:
      MXS_THROW(kUnsupported) << "element-wise CUDA kernels take float32, float16 or bfloat16, not "
                              << DTypeName(a.dtype);
  }
}

}  // namespace cuda
}  // namespace mxserve
