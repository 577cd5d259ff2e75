// SPDX-License-Identifier: Apache-2.0
// _contrib_box_encode and _contrib_box_decode on float32: one thread per anchor evaluating the
// CPU kernel's EncodeBox / DecodeBox (ops/box_codec.h), each product and sum rounded on its own
// (no fused multiply-add). _contrib_box_iou: one thread per (lhs, rhs) pair with BoxIou
// (ops/box_geometry.h). _contrib_bipartite_matching: one thread per batch item sorts the
// indices of its score matrix in the CPU's total order (score, then index, NaN last) and walks
// them greedily as the CPU kernel does.
#include "ops/box_codec.h"

#include <cstdint>
#include <limits>
#include <memory>

#include "backends/backend.h"
#include "backends/cuda/bind_checks.h"
#include "backends/cuda/cuda_check.h"
#include "backends/cuda/cuda_stream.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/row_sort.cuh"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cuda {
namespace {

struct EncodeDims {
  int64_t n;  ///< anchors per batch
  int64_t m;  ///< reference boxes per batch
};

__global__ void BoxEncodeKernel(const float* samples, const float* matches, const float* anchors,
                                const float* refs, const float* means, const float* stds,
                                float* targets, float* masks, int64_t total, EncodeDims d) {
  MXS_GRID_STRIDE(i, total) {
    const int64_t j = i / d.n;
    const float valid = samples[i] > 0.5f ? 1.f : 0.f;
    float* t = targets + i * 4;
    float* mk = masks + i * 4;
    for (int k = 0; k < 4; ++k) mk[k] = valid;
    // As on x86, a NaN or out-of-range match is negative: no match.
    const int64_t match = CpuIntOf(matches[i]);
    if (!(valid > 0.5f) || match < 0 || match >= d.m) {
      for (int k = 0; k < 4; ++k) t[k] = 0.f;
      continue;
    }
    EncodeBox(refs + (j * d.m + match) * 4, anchors + i * 4, means, stds, t);
  }
}

/// The decode attributes in float32.
struct DecodeArgs {
  int64_t n;  ///< boxes per batch (the anchors' count)
  float std0, std1, std2, std3;
  float clip;  ///< applied when > 0
  bool corner;  ///< the anchors are (x0, y0, x1, y1), else (cx, cy, w, h)
};

__global__ void BoxDecodeKernel(const float* x, const float* anchors, float* out, int64_t total,
                                DecodeArgs p) {
  MXS_GRID_STRIDE(i, total) {
    DecodeBox(p, p.corner, x + i * 4, anchors + (i % p.n) * 4, out + i * 4);
  }
}

__global__ void BoxIouKernel(const float* lhs, const float* rhs, float* out, int64_t total,
                             int64_t r, BoxFormat f) {
  MXS_GRID_STRIDE(i, total) {
    const float* a = lhs + (i / r) * 4;
    const float* b = rhs + (i % r) * 4;
    out[i] = BoxIou(a, b, f);
  }
}

struct MatchArgs {
  int64_t batch;
  int64_t rows;
  int64_t cols;
  float threshold;
  int topk;  ///< matches after which the walk stops when exceeded, <= 0 = no limit
  bool is_ascend;
};

/// The CPU's order of two score indices of one batch item.
template <bool kAscend>
struct ScoreBefore {
  const float* s;
  __device__ bool operator()(int32_t x, int32_t y) const {
    return kAscend ? ScoreAscending(s[x], s[y], x, y) : ScoreDescending(s[x], s[y], x, y);
  }
};

/// One thread per batch item: sort, then take each pair whose row and column are both free
/// while the score passes the threshold; the topk limit stops after the match that exceeds it.
template <bool kAscend>
__global__ void BipartiteMatchingKernel(const float* scores, float* row_match, float* col_match,
                                        int32_t* order_all, MatchArgs p) {
  const int64_t stride = p.rows * p.cols;
  MXS_GRID_STRIDE(b, p.batch) {
    const float* s = scores + b * stride;
    int32_t* order = order_all + b * stride;
    float* rm = row_match + b * p.rows;
    float* cm = col_match + b * p.cols;
    for (int64_t i = 0; i < stride; ++i) order[i] = static_cast<int32_t>(i);
    IntroSort(order, stride, ScoreBefore<kAscend>{s});
    for (int64_t r = 0; r < p.rows; ++r) rm[r] = -1.f;
    for (int64_t c = 0; c < p.cols; ++c) cm[c] = -1.f;
    int count = 0;
    for (int64_t j = 0; j < stride; ++j) {
      const int64_t idx = order[j];
      const int64_t r = idx / p.cols, c = idx % p.cols;
      if (rm[r] != -1 || cm[c] != -1) continue;
      const float v = s[idx];
      if (!((!kAscend && v > p.threshold) || (kAscend && v < p.threshold))) break;
      rm[r] = static_cast<float>(c);
      cm[c] = static_cast<float>(r);
      ++count;
      if (p.topk > 0 && count > p.topk) break;
    }
  }
}

class BoxEncodeCuda final : public Kernel {
 public:
  BoxEncodeCuda(int64_t total, EncodeDims d) : total_(total), d_(d) {}
  void Run(const RunArgs& args) const override {
    if (total_ == 0) return;
    BoxEncodeKernel<<<GridFor(total_), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<const float*>(args.in[2]), static_cast<const float*>(args.in[3]),
        static_cast<const float*>(args.in[4]), static_cast<const float*>(args.in[5]),
        static_cast<float*>(args.out[0]), static_cast<float*>(args.out[1]), total_, d_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:box_encode"; }

 private:
  int64_t total_;  ///< batch * anchors
  EncodeDims d_;
};

class BoxDecodeCuda final : public Kernel {
 public:
  BoxDecodeCuda(int64_t total, DecodeArgs p) : total_(total), p_(p) {}
  void Run(const RunArgs& args) const override {
    if (total_ == 0) return;
    BoxDecodeKernel<<<GridFor(total_), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<float*>(args.out[0]), total_, p_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:box_decode"; }

 private:
  int64_t total_;  ///< batch * boxes
  DecodeArgs p_;
};

class BoxIouCuda final : public Kernel {
 public:
  BoxIouCuda(BoxFormat f, int64_t l, int64_t r) : f_(f), l_(l), r_(r) {}
  void Run(const RunArgs& args) const override {
    const int64_t total = l_ * r_;
    if (total == 0) return;
    BoxIouKernel<<<GridFor(total), kThreads, 0, StreamOf(args).get()>>>(
        static_cast<const float*>(args.in[0]), static_cast<const float*>(args.in[1]),
        static_cast<float*>(args.out[0]), total, r_, f_);
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:box_iou"; }

 private:
  BoxFormat f_;
  int64_t l_, r_;  ///< boxes on each side
};

class BipartiteMatchingCuda final : public Kernel {
 public:
  explicit BipartiteMatchingCuda(const MatchArgs& p) : p_(p) {}
  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(p_.batch * p_.rows * p_.cols) * sizeof(int32_t);
  }
  void Run(const RunArgs& args) const override {
    if (p_.batch == 0) return;
    cudaStream_t s = StreamOf(args).get();
    const float* scores = static_cast<const float*>(args.in[0]);
    float* rm = static_cast<float*>(args.out[0]);
    float* cm = static_cast<float*>(args.out[1]);
    int32_t* order = static_cast<int32_t*>(args.scratchpad);
    if (p_.is_ascend) {
      BipartiteMatchingKernel<true><<<GridFor(p_.batch), kThreads, 0, s>>>(scores, rm, cm, order,
                                                                          p_);
    } else {
      BipartiteMatchingKernel<false><<<GridFor(p_.batch), kThreads, 0, s>>>(scores, rm, cm,
                                                                           order, p_);
    }
    MXS_CUDA_CHECK_LAUNCH();
  }
  std::string Describe() const override { return "cuda:bipartite_matching"; }

 private:
  MatchArgs p_;
};

std::unique_ptr<Kernel> CreateBoxEncode(const KernelArgs& a) {
  RequireFloat32(a);
  const Shape& an = a.in[2].shape;
  EncodeDims d{an[1], a.in[3].shape[1]};
  return std::make_unique<BoxEncodeCuda>(an[0] * an[1], d);
}

std::unique_ptr<Kernel> CreateBoxDecode(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& p = a.param<BoxDecodeParam>();
  const Shape& s = a.in[0].shape;
  DecodeArgs d;
  d.n = s[1];
  d.std0 = p.std0;
  d.std1 = p.std1;
  d.std2 = p.std2;
  d.std3 = p.std3;
  d.clip = p.clip;
  d.corner = p.format == BoxFormat::kCorner;
  return std::make_unique<BoxDecodeCuda>(s[0] * s[1], d);
}

std::unique_ptr<Kernel> CreateBoxIou(const KernelArgs& a) {
  RequireFloat32(a);
  return std::make_unique<BoxIouCuda>(a.param<BoxIouParam>().format, a.in[0].shape.Size() / 4,
                                      a.in[1].shape.Size() / 4);
}

std::unique_ptr<Kernel> CreateBipartiteMatching(const KernelArgs& a) {
  RequireFloat32(a);
  const auto& prm = a.param<BipartiteMatchingParam>();
  const Shape& s = a.in[0].shape;
  MatchArgs p;
  p.rows = s[s.ndim() - 2];
  p.cols = s[s.ndim() - 1];
  p.batch = p.rows * p.cols == 0 ? 0 : s.Size() / (p.rows * p.cols);
  MXS_CHECK_CODE(p.rows * p.cols <= std::numeric_limits<int32_t>::max(), kUnsupported)
      << "failed to plan " << NodeDesc(a.node) << ": the CUDA kernel sorts at most 2^31 - 1 "
      << "scores per batch item, not " << p.rows * p.cols;
  p.threshold = prm.threshold;
  p.topk = prm.topk;
  p.is_ascend = prm.is_ascend;
  return std::make_unique<BipartiteMatchingCuda>(p);
}

}  // namespace
}  // namespace cuda

MXS_REGISTER_KERNELS(cuda, box_codec) {
  r.Add("_contrib_box_encode", cuda::CreateBoxEncode);
  r.Add("_contrib_box_decode", cuda::CreateBoxDecode);
  r.Add("_contrib_box_iou", cuda::CreateBoxIou);
  r.Add("_contrib_bipartite_matching", cuda::CreateBipartiteMatching);
}

}  // namespace mxserve
