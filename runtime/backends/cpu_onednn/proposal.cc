// SPDX-License-Identifier: Apache-2.0
// Proposal and MultiProposal on float32 in plain C++, image by image: anchors shifted over the
// feature map (built once at bind time), decoded and clipped to the image, cells outside the
// real image size and boxes under the minimum size scored -1, a sort by descending score that
// keeps equal scores in anchor order (MXNet's std::stable_sort), the rpn_pre_nms_top_n cut,
// greedy NMS with MXNet's "+1" pixel areas until rpn_post_nms_top_n boxes are kept, and the
// kept boxes repeated cyclically when fewer survive. The arithmetic mixes float and double
// exactly where MXNet's does.
#include "ops/proposal.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/backend.h"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cpu {
namespace {

class ProposalKernel final : public Kernel {
 public:
  ProposalKernel(const ProposalParam& p, const Shape& cls, bool has_score)
      : p_(p), anchors_(ProposalBaseAnchors(p)), has_score_(has_score) {
    batch_ = cls[0];
    num_anchors_ = cls[1] / 2;
    height_ = cls[2];
    width_ = cls[3];
    count_ = num_anchors_ * height_ * width_;
    pre_ = p.rpn_pre_nms_top_n > 0 ? std::min<int64_t>(p.rpn_pre_nms_top_n, count_) : count_;
    post_ = std::min<int64_t>(p.rpn_post_nms_top_n, pre_);
  }

  // Per image: proposals (count x 5), order (count), ordered proposals (pre x 5), areas (pre),
  // suppressed flags (pre) and kept indices (pre).
  size_t PerImageFloats() const { return static_cast<size_t>(count_ * 6 + pre_ * 9); }
  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(batch_) * PerImageFloats() * 4;
  }

  void Run(const RunArgs& args) const override {
    const float* cls = static_cast<const float*>(args.in[0]);
    const float* bbox = static_cast<const float*>(args.in[1]);
    const float* info = static_cast<const float*>(args.in[2]);
    float* out = static_cast<float*>(args.out[0]);
    float* score = has_score_ ? static_cast<float*>(args.out[1]) : nullptr;
    float* scratch = static_cast<float*>(args.scratchpad);
    const int64_t plane = height_ * width_;
#pragma omp parallel for if (batch_ > 1)
    for (int64_t b = 0; b < batch_; ++b) {
      RunImage(b, cls + b * 2 * num_anchors_ * plane, bbox + b * 4 * num_anchors_ * plane,
               info + b * 3, out + b * p_.rpn_post_nms_top_n * 5,
               score ? score + b * p_.rpn_post_nms_top_n : nullptr, scratch + b * PerImageFloats());
    }
  }

  std::string Describe() const override { return "ref:proposal"; }

 private:
  void RunImage(int64_t b, const float* cls, const float* deltas, const float* info, float* out,
                float* score, float* scratch) const {
    const int64_t na = num_anchors_, h_n = height_, w_n = width_, plane = h_n * w_n;
    float* props = scratch;
    int32_t* order = reinterpret_cast<int32_t*>(props + count_ * 5);
    float* ordered = reinterpret_cast<float*>(order + count_);
    float* area = ordered + pre_ * 5;
    float* suppressed = area + pre_;
    int32_t* keep = reinterpret_cast<int32_t*>(suppressed + pre_);
    const int stride = p_.feature_stride;
    const float im_h = info[0], im_w = info[1];
    const int real_h = static_cast<int>(info[0] / stride);
    const int real_w = static_cast<int>(info[1] / stride);
    for (int64_t index = 0; index < count_; ++index) {
      const int64_t i = index % na;
      const int64_t k = (index / na) % w_n;
      const int64_t j = index / (w_n * na);
      const float* a = anchors_.data() + i * 4;
      float* d = props + index * 5;
      const float x0 = a[0] + static_cast<int>(k * stride),
                  y0 = a[1] + static_cast<int>(j * stride);
      const float x1 = a[2] + static_cast<int>(k * stride),
                  y1 = a[3] + static_cast<int>(j * stride);
      const float* delta = deltas + i * 4 * plane + j * w_n + k;
      float px0, py0, px1, py1;
      if (p_.iou_loss) {
        px0 = x0 + delta[0];
        py0 = y0 + delta[plane];
        px1 = x1 + delta[2 * plane];
        py1 = y1 + delta[3 * plane];
      } else {
        const float width = static_cast<float>(x1 - x0 + 1.0);
        const float height = static_cast<float>(y1 - y0 + 1.0);
        const float ctr_x = static_cast<float>(x0 + 0.5 * (width - 1.0));
        const float ctr_y = static_cast<float>(y0 + 0.5 * (height - 1.0));
        const float pcx = delta[0] * width + ctr_x;
        const float pcy = delta[plane] * height + ctr_y;
        const float pw = std::exp(delta[2 * plane]) * width;
        const float ph = std::exp(delta[3 * plane]) * height;
        px0 = static_cast<float>(pcx - 0.5 * (pw - 1.0));
        py0 = static_cast<float>(pcy - 0.5 * (ph - 1.0));
        px1 = static_cast<float>(pcx + 0.5 * (pw - 1.0));
        py1 = static_cast<float>(pcy + 0.5 * (ph - 1.0));
      }
      d[0] = std::max(std::min(px0, im_w - 1.0f), 0.0f);
      d[1] = std::max(std::min(py0, im_h - 1.0f), 0.0f);
      d[2] = std::max(std::min(px1, im_w - 1.0f), 0.0f);
      d[3] = std::max(std::min(py1, im_h - 1.0f), 0.0f);
      d[4] = (j >= real_h || k >= real_w) ? -1.0f : cls[(na + i) * plane + j * w_n + k];
      const float min_size = p_.rpn_min_size * info[2];
      const float iw = d[2] - d[0] + 1.0f, ih = d[3] - d[1] + 1.0f;
      if (iw < min_size || ih < min_size) {
        d[0] -= min_size / 2;
        d[1] -= min_size / 2;
        d[2] += min_size / 2;
        d[3] += min_size / 2;
        d[4] = -1.0f;
      }
    }
    for (int64_t i = 0; i < count_; ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order, order + count_, [&](int32_t x, int32_t y) {
      return ScoreDescending(props[x * 5 + 4], props[y * 5 + 4], x, y);
    });
    for (int64_t i = 0; i < pre_; ++i)
      std::copy(props + order[i] * 5, props + order[i] * 5 + 5, ordered + i * 5);
    for (int64_t i = 0; i < pre_; ++i) {
      const float* d = ordered + i * 5;
      area[i] = (d[2] - d[0] + 1) * (d[3] - d[1] + 1);
      suppressed[i] = 0.f;
    }
    int64_t kept = 0;
    for (int64_t i = 0; i < pre_ && kept < post_; ++i) {
      if (suppressed[i] > 0.0f) continue;
      keep[kept++] = static_cast<int32_t>(i);
      const float* di = ordered + i * 5;
      for (int64_t j = i + 1; j < pre_; ++j) {
        if (suppressed[j] > 0.0f) continue;
        const float* dj = ordered + j * 5;
        const float xx1 = std::max(di[0], dj[0]), yy1 = std::max(di[1], dj[1]);
        const float xx2 = std::min(di[2], dj[2]), yy2 = std::min(di[3], dj[3]);
        const float w = std::max(0.0f, xx2 - xx1 + 1.0f);
        const float h = std::max(0.0f, yy2 - yy1 + 1.0f);
        const float inter = w * h;
        const float ovr = inter / (area[i] + area[j] - inter);
        if (ovr > p_.threshold) suppressed[j] = 1.0f;
      }
    }
    for (int64_t i = 0; i < p_.rpn_post_nms_top_n; ++i) {
      const float* d = ordered + keep[i < kept ? i : i % kept] * 5;
      float* o = out + i * 5;
      o[0] = static_cast<float>(b);
      for (int c = 0; c < 4; ++c) o[c + 1] = d[c];
      if (score) score[i] = d[4];
    }
  }

  ProposalParam p_;
  std::vector<float> anchors_;                                    ///< base anchors, 4 values each
  bool has_score_;                                                ///< the score output is requested
  int64_t batch_ = 0, num_anchors_ = 0, height_ = 0, width_ = 0;  ///< input geometry
  int64_t count_ = 0;                                             ///< anchors over the whole map
  int64_t pre_ = 0;                                               ///< boxes entering NMS
  int64_t post_ = 0;                                              ///< boxes NMS may keep
};

std::unique_ptr<Kernel> CreateProposal(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 inputs are supported, got " << DTypeName(t.dtype);
  return std::make_unique<ProposalKernel>(a.param<ProposalParam>(), a.in[0].shape,
                                          a.out.size() > 1);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, proposal) {
  r.Add("_contrib_Proposal", cpu::CreateProposal);
  r.Add("_contrib_MultiProposal", cpu::CreateProposal);
}

}  // namespace mxserve
