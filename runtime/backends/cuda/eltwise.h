// SPDX-License-Identifier: Apache-2.0
// The element-wise steps shared by the CUDA kernels: activations, clip, the post-ops fused into
// Convolution and FullyConnected (ConvPostOp), and BatchNorm's per-channel affine transform, all
// run by one kernel, AffineEltwise: y = post_ops(x * scale[c] + shift[c]).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/dtype.h"
#include "ops/post_op.h"

namespace mxserve {
namespace cuda {

/// An element-wise function; the parameters are those of ConvPostOp (oneDNN's conventions).
enum class EltAlg : int {
  kIdentity,
  kRelu,        ///< x > 0 ? x : alpha * x (alpha is the leaky slope, 0 for relu)
  kLogistic,    ///< 1 / (1 + exp(-x))
  kLogSigmoid,  ///< log(1 / (1 + exp(-x)))
  kTanh,
  kSoftRelu,    ///< log(1 + exp(x)), MXNet's softrelu
  kSoftsign,    ///< x / (1 + |x|)
  kClip,        ///< x > beta ? beta : (x < alpha ? alpha : x), MXNet's clip
  kElu,         ///< x > 0 ? x : alpha * (exp(x) - 1)
  kSelu,        ///< SELU with MXNet's constants
  kGeluErf,     ///< 0.5 x (1 + erf(x / sqrt(2)))
  kSwish,       ///< x / (1 + exp(-alpha x))
  kMish,        ///< x tanh(log(1 + exp(x)))
  kAbs,
  kPrelu,       ///< x > 0 ? x : slope[c] * x, slope from AffineEltwiseArgs::prelu_slope
};

/// One step of an epilogue: an element-wise function or the addition of a residual tensor.
struct EltStep {
  int is_sum = 0;                ///< 1: add the residual input; 0: apply `alg`
  EltAlg alg = EltAlg::kIdentity;
  float alpha = 0.f;
  float beta = 0.f;
};

constexpr int kMaxEltSteps = 8;

/// A fixed-size list of steps, passed to the kernel by value.
struct Epilogue {
  int num_steps = 0;
  EltStep steps[kMaxEltSteps];
  bool empty() const { return num_steps == 0; }
  void Append(const EltStep& s);  ///< throws kUnsupported past kMaxEltSteps
};

/// The algorithm of a ConvPostOp name ("relu", "logistic", ...); throws kUnsupported otherwise.
EltAlg EltAlgOf(const std::string& name);
/// The epilogue of a list of fused post-ops (kSum steps add AffineEltwiseArgs::residual).
Epilogue EpilogueOf(const std::vector<ConvPostOp>& ops);

/// The operands of one AffineEltwise launch; x and y may alias, and so may residual and y.
struct AffineEltwiseArgs {
  DType dtype = DType::kFloat32;       ///< of x, y and residual: float32 or float16
  const void* x = nullptr;
  void* y = nullptr;
  int64_t n = 0;                       ///< elements
  int64_t channels = 1;                ///< extent of the channel axis
  int64_t inner = 1;                   ///< elements after the channel axis
  const float* scale = nullptr;        ///< per channel, or null for 1
  const float* shift = nullptr;        ///< per channel, or null for 0
  const void* residual = nullptr;      ///< the tensor kSum steps add, shaped as y
  const float* prelu_slope = nullptr;  ///< per channel (or one value when channels == 1)
  Epilogue epilogue;
};

/// Launches y = epilogue(x * scale + shift) on `stream`.
void AffineEltwise(const AffineEltwiseArgs& a, cudaStream_t stream);

}  // namespace cuda
}  // namespace mxserve
