// SPDX-License-Identifier: Apache-2.0
// box_encode, box_decode, box_iou and bipartite_matching on float32 in plain C++, the per-box
// formulas from ops/box_codec.h and ops/box_geometry.h (shared with the CUDA kernels).
#include "ops/box_codec.h"

#include <algorithm>
#include <cstdint>

#include "backends/backend.h"
#include "backends/cpu_onednn/elemwise_loop.h"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cpu {
namespace {

class BoxEncodeKernel final : public Kernel {
 public:
  BoxEncodeKernel(int64_t batch, int64_t n, int64_t m) : batch_(batch), n_(n), m_(m) {}

  void Run(const RunArgs& args) const override {
    const float* samples = static_cast<const float*>(args.in[0]);
    const float* matches = static_cast<const float*>(args.in[1]);
    const float* anchors = static_cast<const float*>(args.in[2]);
    const float* refs = static_cast<const float*>(args.in[3]);
    const float* means = static_cast<const float*>(args.in[4]);
    const float* stds = static_cast<const float*>(args.in[5]);
    float* targets = static_cast<float*>(args.out[0]);
    float* masks = static_cast<float*>(args.out[1]);
    ParallelFor(batch_ * n_, [&](int64_t i) {
      const int64_t j = i / n_;
      const float valid = samples[i] > 0.5 ? 1.f : 0.f;
      float* t = targets + i * 4;
      float* mk = masks + i * 4;
      for (int k = 0; k < 4; ++k) mk[k] = valid;
      const int64_t match = static_cast<int64_t>(matches[i]);
      if (!(valid > 0.5f) || match < 0 || match >= m_) {
        for (int k = 0; k < 4; ++k) t[k] = 0.f;
        return;
      }
      EncodeBox(refs + (j * m_ + match) * 4, anchors + i * 4, means, stds, t);
    });
  }
  std::string Describe() const override { return "ref:box_encode"; }

 private:
  int64_t batch_, n_, m_;  ///< batch, anchors per batch, reference boxes per batch
};

class BoxDecodeKernel final : public Kernel {
 public:
  BoxDecodeKernel(const BoxDecodeParam& p, int64_t batch, int64_t n)
      : p_(p), batch_(batch), n_(n) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const float* anchors = static_cast<const float*>(args.in[1]);
    float* out = static_cast<float*>(args.out[0]);
    ParallelFor(batch_ * n_, [&](int64_t i) {
      DecodeBox(p_, p_.format == BoxFormat::kCorner, x + i * 4, anchors + (i % n_) * 4,
                out + i * 4);
    });
  }
  std::string Describe() const override { return "ref:box_decode"; }

 private:
  BoxDecodeParam p_;
  int64_t batch_, n_;  ///< batch and boxes per batch
};

class BoxIouKernel final : public Kernel {
 public:
  BoxIouKernel(BoxFormat f, int64_t l, int64_t r) : f_(f), l_(l), r_(r) {}

  void Run(const RunArgs& args) const override {
    const float* lhs = static_cast<const float*>(args.in[0]);
    const float* rhs = static_cast<const float*>(args.in[1]);
    float* out = static_cast<float*>(args.out[0]);
    ParallelFor(l_ * r_, [&](int64_t i) {
      const float* a = lhs + (i / r_) * 4;
      const float* b = rhs + (i % r_) * 4;
      out[i] = BoxIou(a, b, f_);
    });
  }
  std::string Describe() const override { return "ref:box_iou"; }

 private:
  BoxFormat f_;
  int64_t l_, r_;  ///< boxes on each side
};

// Greedy matching: every (row, col) score of a batch in descending order (ascending with
// is_ascend; equal scores in index order), taking a pair while both are free and the score
// passes the threshold, stopping at the first free pair that does not. As in MXNet the topk
// limit stops after the match that exceeds it, so topk + 1 pairs are kept.
class BipartiteMatchingKernel final : public Kernel {
 public:
  BipartiteMatchingKernel(const BipartiteMatchingParam& p, int64_t batch, int64_t rows,
                          int64_t cols)
      : p_(p), batch_(batch), rows_(rows), cols_(cols) {}

  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(batch_ * rows_ * cols_) * sizeof(int32_t);
  }

  void Run(const RunArgs& args) const override {
    const float* scores = static_cast<const float*>(args.in[0]);
    float* row_match = static_cast<float*>(args.out[0]);
    float* col_match = static_cast<float*>(args.out[1]);
    int32_t* order_all = static_cast<int32_t*>(args.scratchpad);
    const int64_t stride = rows_ * cols_;
#pragma omp parallel for if (batch_ > 1 && batch_ * stride > (1 << 14))
    for (int64_t b = 0; b < batch_; ++b) {
      const float* s = scores + b * stride;
      int32_t* order = order_all + b * stride;
      float* rm = row_match + b * rows_;
      float* cm = col_match + b * cols_;
      for (int64_t i = 0; i < stride; ++i) order[i] = static_cast<int32_t>(i);
      if (p_.is_ascend) {
        std::sort(order, order + stride,
                  [&](int32_t x, int32_t y) { return ScoreAscending(s[x], s[y], x, y); });
      } else {
        std::sort(order, order + stride,
                  [&](int32_t x, int32_t y) { return ScoreDescending(s[x], s[y], x, y); });
      }
      std::fill(rm, rm + rows_, -1.f);
      std::fill(cm, cm + cols_, -1.f);
      int count = 0;
      for (int64_t j = 0; j < stride; ++j) {
        const int64_t idx = order[j];
        const int64_t r = idx / cols_, c = idx % cols_;
        if (rm[r] != -1 || cm[c] != -1) continue;
        const float v = s[idx];
        if (!((!p_.is_ascend && v > p_.threshold) || (p_.is_ascend && v < p_.threshold))) break;
        rm[r] = static_cast<float>(c);
        cm[c] = static_cast<float>(r);
        ++count;
        if (p_.topk > 0 && count > p_.topk) break;
      }
    }
  }
  std::string Describe() const override { return "ref:bipartite_matching"; }

 private:
  BipartiteMatchingParam p_;
  int64_t batch_, rows_, cols_;  ///< batch and score matrix size
};

void CheckFloat32(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 inputs are supported, got " << DTypeName(t.dtype);
}

std::unique_ptr<Kernel> CreateBoxEncode(const KernelArgs& a) {
  CheckFloat32(a);
  const Shape& an = a.in[2].shape;
  return std::make_unique<BoxEncodeKernel>(an[0], an[1], a.in[3].shape[1]);
}

std::unique_ptr<Kernel> CreateBoxDecode(const KernelArgs& a) {
  CheckFloat32(a);
  const Shape& d = a.in[0].shape;
  return std::make_unique<BoxDecodeKernel>(a.param<BoxDecodeParam>(), d[0], d[1]);
}

std::unique_ptr<Kernel> CreateBoxIou(const KernelArgs& a) {
  CheckFloat32(a);
  return std::make_unique<BoxIouKernel>(a.param<BoxIouParam>().format, a.in[0].shape.Size() / 4,
                                        a.in[1].shape.Size() / 4);
}

std::unique_ptr<Kernel> CreateBipartiteMatching(const KernelArgs& a) {
  CheckFloat32(a);
  const Shape& s = a.in[0].shape;
  const int64_t rows = s[s.ndim() - 2], cols = s[s.ndim() - 1];
  const int64_t batch = rows * cols == 0 ? 0 : s.Size() / (rows * cols);
  return std::make_unique<BipartiteMatchingKernel>(a.param<BipartiteMatchingParam>(), batch, rows,
                                                   cols);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, box_codec) {
  r.Add("_contrib_box_encode", cpu::CreateBoxEncode);
  r.Add("_contrib_box_decode", cpu::CreateBoxDecode);
  r.Add("_contrib_box_iou", cpu::CreateBoxIou);
  r.Add("_contrib_bipartite_matching", cpu::CreateBipartiteMatching);
}

}  // namespace mxserve
