// SPDX-License-Identifier: Apache-2.0
// _contrib_MultiBoxPrior and _contrib_MultiBoxDetection on float32.
//
// The priors depend only on the input's shape: they are computed on the host at bind time by
// MultiBoxPriorBoxes (ops/multibox.h), as on the CPU, uploaded once through the weight cache and
// copied out by Run().
//
// Detection takes one block per batch item, its rows in the scratchpad. The CPU kernel's steps:
// per anchor (threads in parallel) the best non-background class, background below threshold,
// and the decoded box; the foreground rows compacted in anchor order; the ranks by descending
// score, equal scores in anchor order (each row counts the rows before it, a total order); the
// nms_topk cut, whose dropped rows keep their compacted values with class -1; then the greedy
// pass over the sorted rows, where while row i keeps its class the block's threads mark every
// later row of the same class (any class with force_suppress) with IoU >= nms_threshold. Products
// are rounded on their own (__fmul_rn) as in the CPU's float32 arithmetic, and exp is evaluated
// in double and rounded to float, within half an ulp as the CPU's expf.
#include "ops/multibox.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/block_reduce.cuh"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/device_weights.h"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cuda {
namespace {

class MultiBoxPriorCuda final : public Kernel {
 public:
  MultiBoxPriorCuda(DeviceMemory boxes, size_t bytes) : boxes_(std::move(boxes)), bytes_(bytes) {}
  void Run(const RunArgs& args) const override {
    if (bytes_ == 0) return;
    MXS_CUDA_CHECK(cudaMemcpyAsync(args.out[0], boxes_.data(), bytes_, cudaMemcpyDeviceToDevice,
                                   StreamOf(args).get()));
  }
  std::string Describe() const override { return "cuda:multibox_prior"; }

 private:
  DeviceMemory boxes_;  ///< the anchors, uploaded at bind time
  size_t bytes_;
};

struct DetectArgs {
  int64_t batch;
  int64_t classes;  ///< background included
  int64_t anchors;
  float threshold;
  float nms_threshold;
  int nms_topk;
  bool clip;
  bool force_suppress;
  float var[4];
};

/// std::max and std::min of float (the first argument wins unless the comparison holds).
__device__ __forceinline__ float StdMax(float a, float b) { return a < b ? b : a; }
__device__ __forceinline__ float StdMin(float a, float b) { return b < a ? b : a; }

/// expf within half an ulp: exp in double, rounded to float.
__device__ __forceinline__ float ExpF(float x) {
  return static_cast<float>(exp(static_cast<double>(x)));
}

/// Decodes one box from its anchor (corner form) and its 4 offsets.
__device__ __forceinline__ void Decode(float* o, const float* a, const float* l,
                                       const DetectArgs& p) {
  const float aw = a[2] - a[0], ah = a[3] - a[1];
  const float ax = (a[0] + a[2]) / 2.f, ay = (a[1] + a[3]) / 2.f;
  const float ox = __fadd_rn(__fmul_rn(__fmul_rn(l[0], p.var[0]), aw), ax);
  const float oy = __fadd_rn(__fmul_rn(__fmul_rn(l[1], p.var[1]), ah), ay);
  const float ow = __fmul_rn(ExpF(__fmul_rn(l[2], p.var[2])), aw) / 2;
  const float oh = __fmul_rn(ExpF(__fmul_rn(l[3], p.var[3])), ah) / 2;
  const float v[4] = {ox - ow, oy - oh, ox + ow, oy + oh};
  for (int k = 0; k < 4; ++k) o[k] = p.clip ? StdMax(0.f, StdMin(1.f, v[k])) : v[k];
}

/// IoU of two corner boxes, 0 when the union is not positive.
__device__ __forceinline__ float Overlap(const float* a, const float* b) {
  const float w = StdMax(0.f, StdMin(a[2], b[2]) - StdMax(a[0], b[0]));
  const float h = StdMax(0.f, StdMin(a[3], b[3]) - StdMax(a[1], b[1]));
  const float i = __fmul_rn(w, h);
  const float u = __fmul_rn(a[2] - a[0], a[3] - a[1]) + __fmul_rn(b[2] - b[0], b[3] - b[1]) - i;
  return u <= 0.f ? 0.f : i / u;
}

/// One block per batch item. rows_all: anchors x 6 floats per item; fg_all and sorted_all:
/// anchors int32 each per item.
__global__ void __launch_bounds__(kThreads)
    MultiBoxDetectionKernel(const float* cls_all, const float* loc_all, const float* anchor,
                            float* out_all, float* rows_all, int32_t* fg_all,
                            int32_t* sorted_all, DetectArgs p) {
  __shared__ int valid_count;
  const int64_t na = p.anchors;
  MXS_BLOCK_ROWS(b, p.batch) {
    const float* cls = cls_all + b * p.classes * na;
    const float* loc = loc_all + b * na * 4;
    float* out = out_all + b * na * 6;
    float* rows = rows_all + b * na * 6;
    int32_t* fg = fg_all + b * na;
    int32_t* sorted = sorted_all + b * na;
    for (int64_t i = threadIdx.x; i < na; i += blockDim.x) {
      float score = -1;
      int id = 0;
      for (int64_t j = 1; j < p.classes; ++j) {
        const float t = cls[j * na + i];
        if (t > score) {
          score = t;
          id = static_cast<int>(j);
        }
      }
      if (id > 0 && score < p.threshold) id = 0;
      rows[i * 6] = static_cast<float>(id - 1);
      rows[i * 6 + 1] = score;
      Decode(rows + i * 6 + 2, anchor + i * 4, loc + i * 4, p);
    }
    for (int64_t e = threadIdx.x; e < na * 6; e += blockDim.x) out[e] = -1.f;
    __syncthreads();
    if (threadIdx.x == 0) {
      int n = 0;
      for (int64_t i = 0; i < na; ++i)
        if (rows[i * 6] >= 0) fg[n++] = static_cast<int32_t>(i);
      valid_count = n;
    }
    __syncthreads();
    const int64_t valid = valid_count;
    // The compacted rows: row x is anchor fg[x].
    for (int64_t e = threadIdx.x; e < valid * 6; e += blockDim.x)
      out[e] = rows[fg[e / 6] * 6 + e % 6];
    const bool nms = valid >= 1 && p.nms_threshold > 0 && p.nms_threshold <= 1;
    if (nms) {
      for (int64_t x = threadIdx.x; x < valid; x += blockDim.x) {
        const float sx = rows[fg[x] * 6 + 1];
        int64_t rank = 0;
        for (int64_t y = 0; y < valid; ++y)
          if (ScoreDescending(rows[fg[y] * 6 + 1], sx, y, x)) ++rank;
        sorted[rank] = static_cast<int32_t>(x);
      }
    }
    __syncthreads();
    if (nms) {
      const int64_t keep = p.nms_topk > 0 && p.nms_topk < valid ? p.nms_topk : valid;
      for (int64_t i = keep + threadIdx.x; i < valid; i += blockDim.x) out[i * 6] = -1;
      for (int64_t e = threadIdx.x; e < keep * 6; e += blockDim.x)
        out[e] = rows[fg[sorted[e / 6]] * 6 + e % 6];
      __syncthreads();
      // out[i * 6] is final once the passes of the rows before it are done.
      for (int64_t i = 0; i < keep; ++i) {
        const float ci = out[i * 6];
        if (ci >= 0) {
          for (int64_t j = i + 1 + threadIdx.x; j < keep; j += blockDim.x) {
            if (out[j * 6] < 0) continue;
            if ((p.force_suppress || ci == out[j * 6]) &&
                Overlap(out + i * 6 + 2, out + j * 6 + 2) >= p.nms_threshold)
              out[j * 6] = -1;
          }
        }
        __syncthreads();
      }
    }
    __syncthreads();  // valid_count is rewritten by the next batch item
  }
}

class MultiBoxDetectionCuda final : public Kernel {
 public:
  explicit MultiBoxDetectionCuda(const DetectArgs& p) : p_(p) {}
  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(p_.batch * p_.anchors) * (6 * sizeof(float) + 2 * sizeof(int32_t));
  }
  void Run(const RunArgs& args) const override {
    if (p_.batch == 0) return;
    float* rows = static_cast<float*>(args.scratchpad);
    int32_t* fg = reinterpret_cast<int32_t*>(rows + p_.batch * p_.anchors * 6);
    int32_t* sorted = fg + p_.batch * p_.anchors;
    MultiBoxDetectionKernel<<<RowGridFor(p_.batch), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<const float*>(args.in[2]), static_cast<float*>(args.out[0]), rows, fg, sorted,
        p_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:multibox_detection"; }

 private:
  DetectArgs p_;
};

std::unique_ptr<Kernel> CreatePrior(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& p = a.param<MultiBoxPriorParam>();
  const Shape& s = a.in[0].shape;
  const int h = static_cast<int>(s[2]), w = static_cast<int>(s[3]);
  const std::vector<float> boxes = MultiBoxPriorBoxes(p, h, w);
  MXS_CHECK_CODE(static_cast<int64_t>(boxes.size()) == a.out[0].shape.Size(), kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << boxes.size() / 4
      << " anchors computed for an output of shape " << a.out[0].shape.ToString();
  const size_t bytes = boxes.size() * sizeof(float);
  if (bytes == 0) return std::make_unique<MultiBoxPriorCuda>(DeviceMemory(), 0);
  const std::string key = "multibox_prior:" + std::to_string(h) + "x" + std::to_string(w) +
                          (p.clip ? ":clip:" : ":") + FloatsKey(p.sizes) + ":" +
                          FloatsKey(p.ratios) + ":" + FloatsKey(p.steps) + ":" +
                          FloatsKey(p.offsets);
  return std::make_unique<MultiBoxPriorCuda>(UploadFloats(a, key, boxes, CurrentDevice()), bytes);
}

std::unique_ptr<Kernel> CreateDetection(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& prm = a.param<MultiBoxDetectionParam>();
  const Shape& c = a.in[0].shape;
  DetectArgs p;
  p.batch = c[0];
  p.classes = c[1];
  p.anchors = c[2];
  MXS_CHECK_CODE(p.anchors <= INT32_MAX, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": too many anchors (" << p.anchors << ")";
  p.threshold = prm.threshold;
  p.nms_threshold = prm.nms_threshold;
  p.nms_topk = prm.nms_topk;
  p.clip = prm.clip;
  p.force_suppress = prm.force_suppress;
  for (int k = 0; k < 4; ++k) p.var[k] = prm.variances[k];
  return std::make_unique<MultiBoxDetectionCuda>(p);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, multibox) {
  r.Add("_contrib_MultiBoxPrior", cuda::CreatePrior);
  r.Add("_contrib_MultiBoxDetection", cuda::CreateDetection);
}

}  // namespace mxserve
