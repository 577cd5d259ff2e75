// SPDX-License-Identifier: Apache-2.0
// masked_softmax / masked_log_softmax on float32 as a plain loop over (outer, n, inner) rows; the
// mask is read through strides that are 0 on its broadcast axes.
#include "ops/masked_softmax.h"

#include <cmath>
#include <limits>

#include "backends/backend.h"
#include "base/error.h"
#include "graph/op_def.h"

namespace mxserve {
namespace cpu {
namespace {

class MaskedSoftmaxKernel final : public Kernel {
 public:
  MaskedSoftmaxKernel(const Shape& data, const Shape& mask, int axis, double temperature, bool log)
      : temperature_(static_cast<float>(temperature)), log_(log) {
    n_ = data[axis];
    outer_ = ShapeProduct(data, 0, axis);
    inner_ = ShapeProduct(data, axis + 1, data.ndim());
    // Element strides of the mask over the data's axes (0 where it broadcasts), grouped into
    // the outer axes, the softmax axis and the inner axes.
    std::vector<int64_t> st(data.ndim(), 0);
    int64_t acc = 1;
    for (int i = data.ndim() - 1; i >= 0; --i) {
      st[i] = mask[i] == 1 ? 0 : acc;
      acc *= mask[i];
    }
    for (int i = 0; i < data.ndim(); ++i) {
      if (i < axis) {
        outer_dims_.push_back(data[i]);
        outer_strides_.push_back(st[i]);
      } else if (i > axis) {
        inner_dims_.push_back(data[i]);
        inner_strides_.push_back(st[i]);
      }
    }
    axis_stride_ = st[axis];
  }

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    const bool* mask = static_cast<const bool*>(args.in[1]);
    float* y = static_cast<float*>(args.out[0]);
    const int64_t rows = outer_ * inner_;
    const float lowest = std::numeric_limits<float>::lowest();
#pragma omp parallel for if (rows * n_ > (1 << 15))
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t o = r / inner_, in = r % inner_;
      const int64_t moff =
          Offset(o, outer_dims_, outer_strides_) + Offset(in, inner_dims_, inner_strides_);
      const float* xr = x + o * n_ * inner_ + in;
      float* yr = y + o * n_ * inner_ + in;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < n_; ++j) {
        const float v = mask[moff + j * axis_stride_] ? xr[j * inner_] : lowest;
        mx = v > mx ? v : mx;
      }
      double sum = 0;
      for (int64_t j = 0; j < n_; ++j) {
        const float v = mask[moff + j * axis_stride_] ? xr[j * inner_] : lowest;
        sum += std::exp(static_cast<double>((v - mx) / temperature_));
      }
      for (int64_t j = 0; j < n_; ++j) {
        const bool keep = mask[moff + j * axis_stride_];
        const float v = keep ? xr[j * inner_] : lowest;
        const double z = static_cast<double>((v - mx) / temperature_);
        if (log_) {
          yr[j * inner_] = keep ? static_cast<float>(z - std::log(sum))
                                : -std::numeric_limits<float>::infinity();
        } else {
          yr[j * inner_] = keep ? static_cast<float>(std::exp(z) / sum) : 0.f;
        }
      }
    }
  }

  std::string Describe() const override { return "ref:masked_softmax"; }

 private:
  static int64_t Offset(int64_t index, const std::vector<int64_t>& dims,
                        const std::vector<int64_t>& strides) {
    int64_t off = 0;
    for (int k = static_cast<int>(dims.size()) - 1; k >= 0; --k) {
      off += (index % dims[k]) * strides[k];
      index /= dims[k];
    }
    return off;
  }

  float temperature_;
  bool log_;                               ///< masked_log_softmax
  int64_t n_ = 0, outer_ = 0, inner_ = 0;  ///< the (outer, n, inner) view of the data
  std::vector<int64_t> outer_dims_, outer_strides_, inner_dims_, inner_strides_;  ///< mask strides
  int64_t axis_stride_ = 0;  ///< mask stride along the softmax axis
};

class Nothing final : public Kernel {
 public:
  void Run(const RunArgs&) const override {}
  std::string Describe() const override { return "empty"; }
};

std::unique_ptr<Kernel> CreateMaskedSoftmax(const KernelArgs& a) {
  const auto& p = a.param<MaskedSoftmaxParam>();
  const std::string what = a.node.def->name() + " node '" + a.node.name + "'";
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << what << ": dtype " << DTypeName(a.in[0].dtype)
      << " is not supported (float32)";
  for (const auto* t : {&a.in[0], &a.in[1], &a.out[0]})
    MXS_CHECK_CODE(t->layout == Layout::kRowMajor, kUnsupported)
        << "failed to plan " << what << ": needs row-major tensors";
  if (a.out[0].shape.Size() == 0) return std::make_unique<Nothing>();
  const int axis = NormalizeAxis(p.axis, a.in[0].shape.ndim());
  return std::make_unique<MaskedSoftmaxKernel>(a.in[0].shape, a.in[1].shape, axis, p.temperature,
                                               a.node.def->name() == "masked_log_softmax");
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, masked_softmax) {
  r.Add("masked_softmax", cpu::CreateMaskedSoftmax);
  r.Add("masked_log_softmax", cpu::CreateMaskedSoftmax);
}

}  // namespace mxserve
