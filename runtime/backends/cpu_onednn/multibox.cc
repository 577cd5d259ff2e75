// SPDX-License-Identifier: Apache-2.0
// MultiBoxPrior and MultiBoxDetection on float32 in plain C++. The priors depend only on the
// input's shape, so they are computed once at bind time and copied out by Run(). Detection
// follows MXNet's order of work: per anchor the best non-background class (scores below
// threshold become background), decoding, compaction of the foreground rows, a sort by
// descending score that keeps equal scores in anchor order, the nms_topk cut, then greedy NMS
// that marks suppressed rows with class -1 and IoU >= nms_threshold.
#include "ops/multibox.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backends/backend.h"
#include "base/error.h"
#include "ops/box_geometry.h"

namespace mxserve {
namespace cpu {
namespace {

class MultiBoxPriorKernel final : public Kernel {
 public:
  MultiBoxPriorKernel(const MultiBoxPriorParam& p, int in_height, int in_width)
      : boxes_(MultiBoxPriorBoxes(p, in_height, in_width)) {}

  void Run(const RunArgs& args) const override {
    std::memcpy(args.out[0], boxes_.data(), boxes_.size() * sizeof(float));
  }
  std::string Describe() const override { return "ref:multibox_prior"; }

 private:
  std::vector<float> boxes_;  ///< the anchors, computed at bind time
};

class MultiBoxDetectionKernel final : public Kernel {
 public:
  MultiBoxDetectionKernel(const MultiBoxDetectionParam& p, int64_t batch, int64_t classes,
                          int64_t anchors)
      : p_(p), batch_(batch), classes_(classes), anchors_(anchors) {}

  size_t ScratchpadBytes() const override {
    return static_cast<size_t>(batch_ * anchors_) * (12 * sizeof(float) + sizeof(int32_t));
  }

  void Run(const RunArgs& args) const override {
    const float* cls = static_cast<const float*>(args.in[0]);
    const float* loc = static_cast<const float*>(args.in[1]);
    const float* anchor = static_cast<const float*>(args.in[2]);
    float* out = static_cast<float*>(args.out[0]);
    float* rows_all = static_cast<float*>(args.scratchpad);
    float* copy_all = rows_all + batch_ * anchors_ * 6;
    int32_t* order_all = reinterpret_cast<int32_t*>(copy_all + batch_ * anchors_ * 6);
#pragma omp parallel for if (batch_ > 1)
    for (int64_t b = 0; b < batch_; ++b) {
      RunBatch(cls + b * classes_ * anchors_, loc + b * anchors_ * 4, anchor,
               out + b * anchors_ * 6, rows_all + b * anchors_ * 6, copy_all + b * anchors_ * 6,
               order_all + b * anchors_);
    }
  }
  std::string Describe() const override { return "ref:multibox_detection"; }

 private:
  void Decode(float* o, const float* a, const float* l) const {
    const float aw = a[2] - a[0], ah = a[3] - a[1];
    const float ax = (a[0] + a[2]) / 2.f, ay = (a[1] + a[3]) / 2.f;
    const float ox = l[0] * p_.variances[0] * aw + ax;
    const float oy = l[1] * p_.variances[1] * ah + ay;
    const float ow = std::exp(l[2] * p_.variances[2]) * aw / 2;
    const float oh = std::exp(l[3] * p_.variances[3]) * ah / 2;
    const float v[4] = {ox - ow, oy - oh, ox + ow, oy + oh};
    for (int k = 0; k < 4; ++k) o[k] = p_.clip ? std::max(0.f, std::min(1.f, v[k])) : v[k];
  }

  static float Overlap(const float* a, const float* b) {
    const float w = std::max(0.f, std::min(a[2], b[2]) - std::max(a[0], b[0]));
    const float h = std::max(0.f, std::min(a[3], b[3]) - std::max(a[1], b[1]));
    const float i = w * h;
    const float u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i;
    return u <= 0.f ? 0.f : i / u;
  }

  void RunBatch(const float* cls, const float* loc, const float* anchor, float* out, float* rows,
                float* copy, int32_t* order) const {
    const int64_t na = anchors_;
    for (int64_t i = 0; i < na; ++i) {
      float score = -1;
      int id = 0;
      for (int64_t j = 1; j < classes_; ++j) {
        const float t = cls[j * na + i];
        if (t > score) {
          score = t;
          id = static_cast<int>(j);
        }
      }
      if (id > 0 && score < p_.threshold) id = 0;
      rows[i * 6] = static_cast<float>(id - 1);
      rows[i * 6 + 1] = score;
      Decode(rows + i * 6 + 2, anchor + i * 4, loc + i * 4);
    }
    std::fill(out, out + na * 6, -1.f);
    int64_t valid = 0;
    for (int64_t i = 0; i < na; ++i) {
      if (rows[i * 6] >= 0) {
        std::memcpy(out + valid * 6, rows + i * 6, 6 * sizeof(float));
        ++valid;
      }
    }
    if (valid < 1 || p_.nms_threshold <= 0 || p_.nms_threshold > 1) return;
    std::memcpy(copy, out, static_cast<size_t>(valid) * 6 * sizeof(float));
    for (int64_t i = 0; i < valid; ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order, order + valid, [&](int32_t x, int32_t y) {
      return ScoreDescending(copy[x * 6 + 1], copy[y * 6 + 1], x, y);
    });
    int64_t keep = valid;
    if (p_.nms_topk > 0 && p_.nms_topk < keep) {
      keep = p_.nms_topk;
      for (int64_t i = keep; i < valid; ++i) out[i * 6] = -1;
    }
    for (int64_t i = 0; i < keep; ++i)
      std::memcpy(out + i * 6, copy + order[i] * 6, 6 * sizeof(float));
    for (int64_t i = 0; i < keep; ++i) {
      if (out[i * 6] < 0) continue;
      for (int64_t j = i + 1; j < keep; ++j) {
        if (out[j * 6] < 0) continue;
        if (p_.force_suppress || out[i * 6] == out[j * 6]) {
          if (Overlap(out + i * 6 + 2, out + j * 6 + 2) >= p_.nms_threshold) out[j * 6] = -1;
        }
      }
    }
  }

  MultiBoxDetectionParam p_;
  int64_t batch_, classes_, anchors_;  ///< batch, classes (background included), anchors
};

void CheckFloat32(const KernelArgs& a) {
  for (const auto& t : a.in)
    MXS_CHECK_CODE(t.dtype == DType::kFloat32, kUnsupported)
        << "only float32 inputs are supported, got " << DTypeName(t.dtype);
}

std::unique_ptr<Kernel> CreatePrior(const KernelArgs& a) {
  CheckFloat32(a);
  const Shape& s = a.in[0].shape;
  return std::make_unique<MultiBoxPriorKernel>(a.param<MultiBoxPriorParam>(),
                                               static_cast<int>(s[2]), static_cast<int>(s[3]));
}

std::unique_ptr<Kernel> CreateDetection(const KernelArgs& a) {
  CheckFloat32(a);
  const Shape& c = a.in[0].shape;
  return std::make_unique<MultiBoxDetectionKernel>(a.param<MultiBoxDetectionParam>(), c[0], c[1],
                                                   c[2]);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, multibox) {
  r.Add("_contrib_MultiBoxPrior", cpu::CreatePrior);
  r.Add("_contrib_MultiBoxDetection", cpu::CreateDetection);
}

}  // namespace mxserve
