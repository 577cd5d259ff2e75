// SPDX-License-Identifier: Apache-2.0
// _contrib_box_nms on float32 with one block per batch item, its boxes' scores, order and areas
// in shared memory (up to kMaxBoxes boxes). The CPU kernel's steps, in its float arithmetic:
// the valid boxes (score above valid_thresh, class not the background) are ranked by descending
// score, equal scores by index (each box counts the valid boxes before it, a total order, so the
// ranks are the CPU's sorted positions); then the greedy pass walks the first topk of them in
// order, and while box r is still alive the block's threads test every later live box against
// it in parallel (same class unless force_suppress) and drop those whose IoU is above
// overlap_thresh. Survivors are written first, in that order, re-encoded when out_format
// differs; every other row is -1. The overlap arithmetic is box_geometry.cuh's.
#include "ops/box_nms.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cuda/block_reduce.cuh"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cuda {
namespace {

/// Boxes per batch item one block handles in shared memory.
constexpr int64_t kMaxBoxes = 4096;

struct NmsArgs {
  int64_t batches;  ///< product of the leading axes
  int64_t num;      ///< boxes per batch item
  int64_t width;    ///< elements per box row
  int64_t topk;     ///< boxes the greedy pass looks at, at most num
  float overlap_thresh;
  float valid_thresh;
  float background_id;  ///< the background class as the CPU compares it (float)
  int score_index;
  int coord_start;
  int id_index;  ///< -1 without classes
  bool check_id;  ///< suppress within a class only
  BoxFormat in_format;
  BoxFormat out_format;
};

__global__ void __launch_bounds__(kThreads) BoxNmsKernel(const float* in, float* out, NmsArgs p) {
  __shared__ float vals[kMaxBoxes];  // the scores while ranking, then the areas in rank order
  __shared__ unsigned char valid[kMaxBoxes];
  __shared__ int32_t order[kMaxBoxes];  // box index by rank; -1 once suppressed
  __shared__ int count;
  const int64_t num = p.num, w = p.width;
  MXS_BLOCK_ROWS(b, p.batches) {
    const float* x = in + b * num * w;
    float* y = out + b * num * w;
    if (threadIdx.x == 0) count = 0;
    __syncthreads();
    for (int64_t i = threadIdx.x; i < num; i += blockDim.x) {
      const float* row = x + i * w;
      const float s = row[p.score_index];
      const bool ok = s > p.valid_thresh && (p.id_index < 0 || row[p.id_index] != p.background_id);
      valid[i] = ok ? 1 : 0;
      vals[i] = s;
      if (ok) atomicAdd(&count, 1);
    }
    __syncthreads();
    const int64_t n = count;
    for (int64_t i = threadIdx.x; i < num; i += blockDim.x) {
      if (!valid[i]) continue;
      int64_t rank = 0;
      for (int64_t j = 0; j < num; ++j)
        if (valid[j] && ScoreDescending(vals[j], vals[i], j, i)) ++rank;
      order[rank] = static_cast<int32_t>(i);
    }
    __syncthreads();
    const int64_t k = n < p.topk ? n : p.topk;
    for (int64_t j = threadIdx.x; j < k; j += blockDim.x)
      vals[j] = BoxArea(x + order[j] * w + p.coord_start, p.in_format);
    __syncthreads();
    // order[r] is final once the passes of the boxes before it are done.
    for (int64_t r = 0; r < k; ++r) {
      if (order[r] >= 0) {
        const float* rb = x + order[r] * w;
        for (int64_t q = r + 1 + threadIdx.x; q < k; q += blockDim.x) {
          if (order[q] < 0) continue;
          const float* qb = x + order[q] * w;
          if (p.check_id && CpuIntOf(rb[p.id_index]) != CpuIntOf(qb[p.id_index])) continue;
          const float inter = BoxIntersect(rb + p.coord_start, qb + p.coord_start, p.in_format);
          const float iou = inter / (vals[r] + vals[q] - inter);
          if (iou > p.overlap_thresh) order[q] = -1;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      int kept = 0;
      for (int64_t j = 0; j < k; ++j)
        if (order[j] >= 0) order[kept++] = order[j];
      count = kept;
    }
    __syncthreads();
    const int64_t kept = count;
    for (int64_t i = threadIdx.x; i < num; i += blockDim.x) {
      float* yr = y + i * w;
      if (i < kept) {
        const float* xr = x + order[i] * w;
        for (int64_t c = 0; c < w; ++c) yr[c] = xr[c];
        if (p.in_format != p.out_format) ConvertBoxFormat(yr + p.coord_start, p.out_format);
      } else {
        for (int64_t c = 0; c < w; ++c) yr[c] = -1.f;
      }
    }
    __syncthreads();  // count and the shared arrays are rewritten by the next batch item
  }
}

__global__ void CopyKernel(const float* in, float* out, int64_t n) {
  MXS_GRID_STRIDE(i, n) { out[i] = in[i]; }
}

class BoxNmsCuda final : public Kernel {
 public:
  explicit BoxNmsCuda(const NmsArgs& p) : p_(p) {}
  void Run(const RunArgs& args) const override {
    const int64_t total = p_.batches * p_.num * p_.width;
    if (total == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const float* in = static_cast<const float*>(args.in[0]);
    float* out = static_cast<float*>(args.out[0]);
    if (p_.topk < 1) {
      CopyKernel<<<GridFor(total), kThreads, 0, s>>>(in, out, total);
    } else {
      BoxNmsKernel<<<RowGridFor(p_.batches), kThreads, 0, s>>>(in, out, p_);
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:box_nms"; }

 private:
  NmsArgs p_;
};

std::unique_ptr<Kernel> CreateBoxNms(const KernelArgs& a) {
  const BoxNmsParam& prm = a.param<BoxNmsParam>();
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes float32 boxes, not "
      << DTypeName(a.in[0].dtype);
  const Shape& s = a.in[0].shape;
  const int nd = s.ndim();
  NmsArgs p;
  p.width = s[nd - 1];
  p.num = s[nd - 2];
  p.batches = p.num == 0 || p.width == 0 ? 0 : s.Size() / (p.num * p.width);
  MXS_CHECK_CODE(p.num <= kMaxBoxes, kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel takes at most " << kMaxBoxes
      << " boxes per batch item, not " << p.num;
  p.topk = prm.topk < 0 ? p.num : std::min<int64_t>(p.num, prm.topk);
  p.overlap_thresh = prm.overlap_thresh;
  p.valid_thresh = prm.valid_thresh;
  p.background_id = static_cast<float>(prm.background_id);
  p.score_index = prm.score_index;
  p.coord_start = prm.coord_start;
  p.id_index = prm.id_index;
  p.check_id = !prm.force_suppress && prm.id_index >= 0;
  p.in_format = prm.in_format;
  p.out_format = prm.out_format;
  return std::make_unique<BoxNmsCuda>(p);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, box_nms) { r.Add("_contrib_box_nms", cuda::CreateBoxNms); }

}  // namespace mxserve
