// SPDX-License-Identifier: Apache-2.0
// Pooling on oneDNN where its semantics equal MXNet's, a plain float32 loop elsewhere:
// - oneDNN's avg_include_padding always divides by the whole window, while MXNet divides by the
//   part of the window inside the input plus the user's pad; the two differ exactly when the
//   'full' convention adds right padding beyond `pad`, so those cases use the loop;
// - sum and lp pooling have no oneDNN algorithm; 'same' is computed by the loop as well.
#include "ops/pooling.h"

#include <cfloat>
#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"

namespace mxserve {
namespace cpu {
namespace {

/// Geometry of one pooling node with the spatial dims left-padded to three (size 1, kernel 1).
struct Window {
  int64_t planes = 0;    ///< N * C
  int64_t in[3];         ///< input extent per dim
  int64_t out[3];        ///< output extent per dim
  int64_t kernel[3];     ///< window size per dim
  int64_t stride[3];     ///< stride per dim
  int64_t pad[3];        ///< left (and nominal right) padding per dim
};

/// MXNet's legacy CPU pooling (src/operator/nn/pool.h), float32.
class PoolingRef final : public Kernel {
 public:
  PoolingRef(const PoolingParam& p, const Window& w) : p_(p), w_(w) {}

  void Run(const RunArgs& args) const override {
    const float* x = static_cast<const float*>(args.in[0]);
    float* y = static_cast<float*>(args.out[0]);
    const int64_t in_plane = w_.in[0] * w_.in[1] * w_.in[2];
    const int64_t out_plane = w_.out[0] * w_.out[1] * w_.out[2];
#pragma omp parallel for
    for (int64_t plane = 0; plane < w_.planes; ++plane) {
      const float* xp = x + plane * in_plane;
      float* yp = y + plane * out_plane;
      int64_t o = 0;
      for (int64_t od = 0; od < w_.out[0]; ++od)
        for (int64_t oh = 0; oh < w_.out[1]; ++oh)
          for (int64_t ow = 0; ow < w_.out[2]; ++ow) yp[o++] = Pool(xp, {od, oh, ow});
    }
  }
  std::string Describe() const override { return "ref:pooling_" + p_.pool_type; }

 private:
  float Pool(const float* x, std::initializer_list<int64_t> pos) const {
    int64_t begin[3], end[3];
    int64_t padded_size = 1, valid_size = 1;
    int i = 0;
    for (int64_t op : pos) {
      int64_t start = op * w_.stride[i] - w_.pad[i];
      // MXNet clips the window to the padded input before counting it for the divisor.
      int64_t stop = std::min(start + w_.kernel[i], w_.in[i] + w_.pad[i]);
      padded_size *= stop - start;
      begin[i] = std::max<int64_t>(start, 0);
      end[i] = std::min(stop, w_.in[i]);
      valid_size *= std::max<int64_t>(end[i] - begin[i], 0);
      ++i;
    }
    const bool is_max = p_.pool_type == "max";
    const bool is_avg = p_.pool_type == "avg";
    const float divisor = is_avg ? static_cast<float>(p_.count_include_pad ? padded_size : valid_size) : 1.f;
    float acc = is_max ? -FLT_MAX : 0.f;
    for (int64_t d = begin[0]; d < end[0]; ++d)
      for (int64_t h = begin[1]; h < end[1]; ++h)
        for (int64_t w = begin[2]; w < end[2]; ++w) {
          float v = x[(d * w_.in[1] + h) * w_.in[2] + w];
          if (is_max) {
            acc = v > acc ? v : acc;
          } else if (is_avg) {
            acc += v / divisor;  // MXNet divides each term, not the sum
          } else if (p_.p_value == 2) {
            acc += v * v;
          } else if (p_.p_value == 3) {
            acc += v * v * v;
          } else {
            acc += v;
          }
        }
    if (p_.pool_type == "lp" && p_.p_value == 2) return std::sqrt(acc);
    if (p_.pool_type == "lp" && p_.p_value == 3) return std::cbrt(acc);
    return acc;
  }

  PoolingParam p_;
  Window w_;
};

std::unique_ptr<Kernel> CreatePooling(const KernelArgs& a) {
  const auto& p = a.param<PoolingParam>();
  const std::string what = "Pooling node '" + a.node.name + "'";
  const Shape& in = a.in[0].shape;
  const Shape& out = a.out[0].shape;
  const int nd = in.ndim() - 2;
  std::vector<int64_t> kernel, stride, pad;
  PoolingWindow(p, in, kernel, stride, pad);
  // Right padding that makes oneDNN produce MXNet's output size; beyond `pad` only for 'full'.
  std::vector<int64_t> pad_r(pad);
  bool extra_pad = false;
  for (int i = 0; i < nd; ++i) {
    int64_t needed = (out[2 + i] - 1) * stride[i] + kernel[i] - in[2 + i] - pad[i];
    if (needed > pad_r[i]) pad_r[i] = needed, extra_pad = true;
  }
  const bool same = !p.global_pool && p.convention == "same";
  bool use_dnnl = !same && (p.pool_type == "max" ||
                            (p.pool_type == "avg" && (!extra_pad || !p.count_include_pad)));
  if (use_dnnl) {
    using alg = dnnl::algorithm;
    alg algo = p.pool_type == "max"       ? alg::pooling_max
               : p.count_include_pad      ? alg::pooling_avg_include_padding
                                          : alg::pooling_avg_exclude_padding;
    // An output with a single spatial position has the same bytes in either layout; giving it
    // the input's layout keeps oneDNN on its optimised path (global pooling before a classifier).
    TensorDesc dst = SinglePositionAs(a.out[0], a.in[0].layout);
    auto pd = CallOneDnn(what, [&] {
      dnnl::memory::dims dil(nd, 0);
      return dnnl::pooling_forward::primitive_desc(
          Engine(), dnnl::prop_kind::forward_inference, algo, ToMemDesc(a.in[0]), ToMemDesc(dst),
          dnnl::memory::dims(stride.begin(), stride.end()), dnnl::memory::dims(kernel.begin(), kernel.end()),
          dil, dnnl::memory::dims(pad.begin(), pad.end()), dnnl::memory::dims(pad_r.begin(), pad_r.end()),
          DefaultAttr());
    });
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr},
                                   {DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr}};
    return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
      return std::make_unique<PrimitiveKernel>(what, dnnl::pooling_forward(pd), pd, std::move(args));
    });
  }
  MXS_CHECK_CODE(a.in[0].dtype == DType::kFloat32, kUnsupported)
      << "failed to plan " << what << ": " << p.pool_type << " pooling with the " << p.convention
      << " convention is supported for float32 data only";
  Window w;
  w.planes = in[0] * in[1];
  for (int i = 0; i < 3; ++i) {
    int j = i - (3 - nd);  // spatial dim of the node, or <0 for a padding dim
    w.in[i] = j < 0 ? 1 : in[2 + j];
    w.out[i] = j < 0 ? 1 : out[2 + j];
    w.kernel[i] = j < 0 ? 1 : kernel[j];
    w.stride[i] = j < 0 ? 1 : stride[j];
    w.pad[i] = j < 0 ? 0 : pad[j];
  }
  return AdaptToLayouts(std::make_unique<PoolingRef>(p, w), a);
}

}  // namespace
}  // namespace cpu

// int8/uint8 data through oneDNN's pooling (quantized pooling runs this kernel).
MXS_REGISTER_KERNELS(cpu, pooling) {
  r.Add("Pooling", cpu::CreatePooling, Backend::kAnyLayout, Backend::kBf16SameType)
      .DTypes(dtypes::kQuantized);
}

}  // namespace mxserve
