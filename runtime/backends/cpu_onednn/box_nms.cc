// SPDX-License-Identifier: Apache-2.0
// box_nms on float32 in plain C++, batch by batch. The order follows MXNet: valid boxes sorted
// by descending score with ties kept in input order (MXNet's std::stable_sort, reproduced as a
// sort on (score, index)), then a greedy pass over the first topk of them where a box suppresses
// every later box of the same class (or any class with force_suppress) whose IoU with it is
// above overlap_thresh. Survivors are written first, in that order; every other row is -1.
#include "ops/box_nms.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "backends/backend.h"
#include "base/error.h"
#include "graph/graph.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cpu {
namespace {

class BoxNmsKernel final : public Kernel {
 public:
  BoxNmsKernel(const BoxNmsParam& p, const Shape& s) : p_(p) {
    const int nd = s.ndim();
    width_ = s[nd - 1];
    num_ = s[nd - 2];
    batches_ = num_ == 0 || width_ == 0 ? 0 : s.Size() / (num_ * width_);
    topk_ = p.topk < 0 ? num_ : std::min<int64_t>(num_, p.topk);
  }

  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(batches_ * num_) * (sizeof(int32_t) + sizeof(float));
  }

  void Run(const RunArgs& args) const override {
    const float* in = static_cast<const float*>(args.in[0]);
    float* out = static_cast<float*>(args.out[0]);
    const int64_t total = batches_ * num_ * width_;
    if (total == 0) return;
    if (topk_ < 1) {
      if (out != in) std::memcpy(out, in, static_cast<size_t>(total) * sizeof(float));
      return;
    }
    int32_t* order_all = static_cast<int32_t*>(args.scratchpad);
    float* area_all = reinterpret_cast<float*>(order_all + batches_ * num_);
#pragma omp parallel for if (batches_ > 1 && total > (1 << 14))
    for (int64_t b = 0; b < batches_; ++b) {
      RunBatch(in + b * num_ * width_, out + b * num_ * width_, order_all + b * num_,
               area_all + b * num_);
    }
  }

  std::string Describe() const override { return "ref:box_nms"; }

 private:
  void RunBatch(const float* in, float* out, int32_t* order, float* area) const {
    const int64_t w = width_;
    const bool has_id = p_.id_index >= 0;
    int64_t n = 0;
    for (int64_t i = 0; i < num_; ++i) {
      const float* row = in + i * w;
      if (!(row[p_.score_index] > p_.valid_thresh)) continue;
      if (has_id && !(row[p_.id_index] != static_cast<float>(p_.background_id))) continue;
      order[n++] = static_cast<int32_t>(i);
    }
    const int sc = p_.score_index;
    std::sort(order, order + n, [&](int32_t a, int32_t b) {
      return ScoreDescending(in[a * w + sc], in[b * w + sc], a, b);
    });
    const int64_t k = std::min<int64_t>(n, topk_);
    const int cs = p_.coord_start;
    const BoxFormat f = p_.in_format;
    for (int64_t j = 0; j < k; ++j) area[j] = BoxArea(in + order[j] * w + cs, f);
    const bool check_id = !p_.force_suppress && has_id;
    for (int64_t r = 0; r < k; ++r) {
      if (order[r] < 0) continue;
      const float* rb = in + order[r] * w;
      for (int64_t q = r + 1; q < k; ++q) {
        if (order[q] < 0) continue;
        const float* qb = in + order[q] * w;
        if (check_id && static_cast<int>(rb[p_.id_index]) != static_cast<int>(qb[p_.id_index]))
          continue;
        const float inter = BoxIntersect(rb + cs, qb + cs, f);
        const float iou = inter / (area[r] + area[q] - inter);
        if (iou > p_.overlap_thresh) order[q] = -1;
      }
    }
    int64_t count = 0;
    for (int64_t j = 0; j < k; ++j) {
      if (order[j] < 0) continue;
      std::memmove(out + count * w, in + order[j] * w, static_cast<size_t>(w) * sizeof(float));
      ++count;
    }
    std::fill(out + count * w, out + num_ * w, -1.f);
    if (p_.in_format != p_.out_format) {
      for (int64_t j = 0; j < count; ++j) ConvertBoxFormat(out + j * w + cs, p_.out_format);
    }
  }

  BoxNmsParam p_;
  int64_t width_ = 0;    ///< elements per box row
  int64_t num_ = 0;      ///< boxes per batch
  int64_t batches_ = 0;  ///< product of the leading axes
  int64_t topk_ = 0;     ///< boxes NMS looks at per batch
};

std::unique_ptr<Kernel> CreateBoxNms(const KernelArgs& a) {
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32, kUnsupported)
      << "only float32 boxes are supported, got " << DTypeName(a.in[0].dtype);
  return std::make_unique<BoxNmsKernel>(a.param<BoxNmsParam>(), a.in[0].shape);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, box_nms) { r.Add("_contrib_box_nms", cpu::CreateBoxNms); }

}  // namespace mxserve
