// SPDX-License-Identifier: Apache-2.0
// _contrib_Proposal and _contrib_MultiProposal on float32 with one block per image, its
// proposals in the scratchpad (up to kMaxAnchors anchors over the feature map). The base anchors
// come from ProposalBaseAnchors (ops/proposal.h), as on the CPU, at bind time, uploaded once. Then
// the CPU kernel's steps, in its mixed float / double arithmetic: each anchor shifted to its
// cell, decoded, clipped to the image, scored -1 outside the real image or under the minimum
// size (threads in parallel); ranks by descending score, equal scores in anchor order, NaN last
// (each proposal counts the ones before it, a total order), the best rpn_pre_nms_top_n kept;
// greedy NMS with "+1" pixel areas, where while box i is unsuppressed the block's threads test
// every later box against it, until rpn_post_nms_top_n boxes are kept; the kept boxes written
// out, repeated cyclically when fewer survive. Products are rounded on their own (__fmul_rn,
// __dmul_rn) and exp is evaluated in double and rounded to float, within half an ulp as the
// CPU's expf.
#include "ops/proposal.h"

#include <algorithm>
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

/// Anchors over the feature map one block ranks (each proposal compares its score with all).
constexpr int64_t kMaxAnchors = 65536;

struct ProposalArgs {
  int64_t batch;
  int64_t num_anchors;  ///< base anchors per cell
  int64_t height, width;
  int64_t count;  ///< num_anchors * height * width
  int64_t pre;    ///< boxes entering NMS
  int64_t post;   ///< boxes NMS may keep
  int64_t rows;   ///< output rows per image (rpn_post_nms_top_n)
  float threshold;
  int min_size;  ///< rpn_min_size
  int stride;    ///< feature_stride
  bool iou_loss;
};

/// Scratchpad floats per image: proposals (count x 5), ranked indices (count), ranked proposals
/// (pre x 5), areas, suppressed flags and kept indices (pre each).
__host__ __device__ inline int64_t PerImageFloats(const ProposalArgs& p) {
  return p.count * 6 + p.pre * 8;
}

/// std::max and std::min of float (the first argument wins unless the comparison holds).
__device__ __forceinline__ float StdMax(float a, float b) { return a < b ? b : a; }
__device__ __forceinline__ float StdMin(float a, float b) { return b < a ? b : a; }

/// expf within half an ulp: exp in double, rounded to float.
__device__ __forceinline__ float ExpF(float x) {
  return static_cast<float>(exp(static_cast<double>(x)));
}

/// Proposal `index` of one image (5 floats: the box and its score).
__device__ void MakeProposal(int64_t index, const float* anchors, const float* cls,
                             const float* deltas, const float* info, const ProposalArgs& p,
                             float* d) {
  const int64_t na = p.num_anchors, w_n = p.width, plane = p.height * p.width;
  const int64_t i = index % na;
  const int64_t k = (index / na) % w_n;
  const int64_t j = index / (w_n * na);
  const float* a = anchors + i * 4;
  const float im_h = info[0], im_w = info[1];
  const int real_h = CpuIntOf(info[0] / p.stride);
  const int real_w = CpuIntOf(info[1] / p.stride);
  const float sx = static_cast<float>(static_cast<int>(k * p.stride));
  const float sy = static_cast<float>(static_cast<int>(j * p.stride));
  const float x0 = a[0] + sx, y0 = a[1] + sy;
  const float x1 = a[2] + sx, y1 = a[3] + sy;
  const float* delta = deltas + i * 4 * plane + j * w_n + k;
  float px0, py0, px1, py1;
  if (p.iou_loss) {
    px0 = x0 + delta[0];
    py0 = y0 + delta[plane];
    px1 = x1 + delta[2 * plane];
    py1 = y1 + delta[3 * plane];
  } else {
    const float width = static_cast<float>(__dadd_rn(x1 - x0, 1.0));
    const float height = static_cast<float>(__dadd_rn(y1 - y0, 1.0));
    const float ctr_x = static_cast<float>(__dadd_rn(x0, __dmul_rn(0.5, __dsub_rn(width, 1.0))));
    const float ctr_y = static_cast<float>(__dadd_rn(y0, __dmul_rn(0.5, __dsub_rn(height, 1.0))));
    const float pcx = __fadd_rn(__fmul_rn(delta[0], width), ctr_x);
    const float pcy = __fadd_rn(__fmul_rn(delta[plane], height), ctr_y);
    const float pw = __fmul_rn(ExpF(delta[2 * plane]), width);
    const float ph = __fmul_rn(ExpF(delta[3 * plane]), height);
    px0 = static_cast<float>(__dsub_rn(pcx, __dmul_rn(0.5, __dsub_rn(pw, 1.0))));
    py0 = static_cast<float>(__dsub_rn(pcy, __dmul_rn(0.5, __dsub_rn(ph, 1.0))));
    px1 = static_cast<float>(__dadd_rn(pcx, __dmul_rn(0.5, __dsub_rn(pw, 1.0))));
    py1 = static_cast<float>(__dadd_rn(pcy, __dmul_rn(0.5, __dsub_rn(ph, 1.0))));
  }
  d[0] = StdMax(StdMin(px0, im_w - 1.0f), 0.0f);
  d[1] = StdMax(StdMin(py0, im_h - 1.0f), 0.0f);
  d[2] = StdMax(StdMin(px1, im_w - 1.0f), 0.0f);
  d[3] = StdMax(StdMin(py1, im_h - 1.0f), 0.0f);
  d[4] = (j >= real_h || k >= real_w) ? -1.0f : cls[(na + i) * plane + j * w_n + k];
  const float min_size = __fmul_rn(static_cast<float>(p.min_size), info[2]);
  const float iw = d[2] - d[0] + 1.0f, ih = d[3] - d[1] + 1.0f;
  if (iw < min_size || ih < min_size) {
    d[0] -= min_size / 2;
    d[1] -= min_size / 2;
    d[2] += min_size / 2;
    d[3] += min_size / 2;
    d[4] = -1.0f;
  }
}

__global__ void __launch_bounds__(kThreads)
    ProposalKernel(const float* cls_all, const float* bbox_all, const float* info_all,
                   const float* anchors, float* out_all, float* score_all, float* scratch_all,
                   ProposalArgs p) {
  const int64_t plane = p.height * p.width, count = p.count, pre = p.pre;
  MXS_BLOCK_ROWS(b, p.batch) {
    const float* cls = cls_all + b * 2 * p.num_anchors * plane;
    const float* deltas = bbox_all + b * 4 * p.num_anchors * plane;
    const float* info = info_all + b * 3;
    float* props = scratch_all + b * PerImageFloats(p);
    int32_t* order = reinterpret_cast<int32_t*>(props + count * 5);
    float* ordered = reinterpret_cast<float*>(order + count);
    float* area = ordered + pre * 5;
    int32_t* suppressed = reinterpret_cast<int32_t*>(area + pre);
    int32_t* keep = suppressed + pre;
    for (int64_t index = threadIdx.x; index < count; index += blockDim.x)
      MakeProposal(index, anchors, cls, deltas, info, p, props + index * 5);
    __syncthreads();
    for (int64_t x = threadIdx.x; x < count; x += blockDim.x) {
      const float sx = props[x * 5 + 4];
      int64_t rank = 0;
      for (int64_t y = 0; y < count; ++y)
        if (ScoreDescending(props[y * 5 + 4], sx, y, x)) ++rank;
      if (rank < pre) order[rank] = static_cast<int32_t>(x);
    }
    __syncthreads();
    for (int64_t e = threadIdx.x; e < pre * 5; e += blockDim.x)
      ordered[e] = props[order[e / 5] * 5 + e % 5];
    for (int64_t i = threadIdx.x; i < pre; i += blockDim.x) {
      const float* d = props + order[i] * 5;
      area[i] = __fmul_rn(d[2] - d[0] + 1, d[3] - d[1] + 1);
      suppressed[i] = 0;
    }
    __syncthreads();
    // Every thread counts the kept boxes alike; suppressed[i] is final once the passes of the
    // boxes before it are done.
    int64_t kept = 0;
    for (int64_t i = 0; i < pre && kept < p.post; ++i) {
      if (!suppressed[i]) {
        if (threadIdx.x == 0) keep[kept] = static_cast<int32_t>(i);
        ++kept;
        const float* di = ordered + i * 5;
        for (int64_t j = i + 1 + threadIdx.x; j < pre; j += blockDim.x) {
          if (suppressed[j]) continue;
          const float* dj = ordered + j * 5;
          const float xx1 = StdMax(di[0], dj[0]), yy1 = StdMax(di[1], dj[1]);
          const float xx2 = StdMin(di[2], dj[2]), yy2 = StdMin(di[3], dj[3]);
          const float w = StdMax(0.0f, xx2 - xx1 + 1.0f);
          const float h = StdMax(0.0f, yy2 - yy1 + 1.0f);
          const float inter = __fmul_rn(w, h);
          const float ovr = inter / (area[i] + area[j] - inter);
          if (ovr > p.threshold) suppressed[j] = 1;
        }
      }
      __syncthreads();
    }
    float* out = out_all + b * p.rows * 5;
    float* score = score_all ? score_all + b * p.rows : nullptr;
    for (int64_t i = threadIdx.x; i < p.rows; i += blockDim.x) {
      const float* d = ordered + keep[i < kept ? i : i % kept] * 5;
      float* o = out + i * 5;
      o[0] = static_cast<float>(b);
      for (int c = 0; c < 4; ++c) o[c + 1] = d[c];
      if (score) score[i] = d[4];
    }
    __syncthreads();  // the scratchpad of the next image is separate; keep is read above
  }
}

class ProposalCuda final : public Kernel {
 public:
  ProposalCuda(const ProposalArgs& p, DeviceMemory anchors, bool has_score)
      : p_(p), anchors_(std::move(anchors)), has_score_(has_score) {}
  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(p_.batch * PerImageFloats(p_)) * sizeof(float);
  }
  void Run(const RunArgs& args) const override {
    if (p_.batch == 0) return;
    ProposalKernel<<<RowGridFor(p_.batch), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<const float*>(args.in[2]), anchors_.as<float>(),
        static_cast<float*>(args.out[0]), has_score_ ? static_cast<float*>(args.out[1]) : nullptr,
        static_cast<float*>(args.scratchpad), p_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:proposal"; }

 private:
  ProposalArgs p_;
  DeviceMemory anchors_;  ///< the base anchors, uploaded at bind time
  bool has_score_;        ///< the score output is requested
};

std::unique_ptr<Kernel> CreateProposal(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& prm = a.param<ProposalParam>();
  const Shape& cls = a.in[0].shape;
  ProposalArgs p;
  p.batch = cls[0];
  p.num_anchors = cls[1] / 2;
  p.height = cls[2];
  p.width = cls[3];
  p.count = p.num_anchors * p.height * p.width;
  MXS_CHECK_CODE(p.count > 0 && p.count <= kMaxAnchors, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes 1 to " << kMaxAnchors
      << " anchors over the feature map, not " << p.count;
  p.pre = prm.rpn_pre_nms_top_n > 0 ? std::min<int64_t>(prm.rpn_pre_nms_top_n, p.count) : p.count;
  p.post = std::min<int64_t>(prm.rpn_post_nms_top_n, p.pre);
  p.rows = prm.rpn_post_nms_top_n;
  p.threshold = prm.threshold;
  p.min_size = prm.rpn_min_size;
  p.stride = prm.feature_stride;
  p.iou_loss = prm.iou_loss;
  const std::vector<float> anchors = ProposalBaseAnchors(prm);
  MXS_CHECK_CODE(static_cast<int64_t>(anchors.size()) == p.num_anchors * 4, kInternal)
      << "failed to plan " << NodeDesc(a.node) << ": " << anchors.size() / 4
      << " base anchors for " << p.num_anchors << " anchor channels";
  const std::string key = "proposal_anchors:" + std::to_string(prm.feature_stride) + ":" +
                          FloatsKey(prm.scales) + ":" + FloatsKey(prm.ratios);
  return std::make_unique<ProposalCuda>(p, UploadFloats(a, key, anchors, CurrentDevice()),
                                        a.out.size() > 1);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, proposal) {
  r.Add("_contrib_Proposal", cuda::CreateProposal);
  r.Add("_contrib_MultiProposal", cuda::CreateProposal);
}

}  // namespace mxserve
