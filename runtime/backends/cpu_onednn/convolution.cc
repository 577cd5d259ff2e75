// SPDX-License-Identifier: Apache-2.0
// Convolution on oneDNN: activations in the planned layout, weights prepacked once into the
// format the primitive prefers and shared through the WeightCache.
#include "ops/convolution.h"

#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {
namespace {

using dims = dnnl::memory::dims;

// A convolution with a fused residual sum accumulates into its output buffer, so the output
// must hold the residual first. The planner usually gives both the same storage; when it cannot
// (the residual is still read later), the residual is copied in before the convolution runs.
class ResidualConvolution final : public Kernel {
 public:
  ResidualConvolution(std::unique_ptr<Kernel> conv, const dnnl::memory::desc& residual_md,
                      const dnnl::memory::desc& dst_md, int residual)
      : conv_(std::move(conv)), residual_md_(residual_md), dst_md_(dst_md), residual_(residual) {
    if (residual_md_ != dst_md_) copy_ = dnnl::reorder(dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE),
                                                       dnnl::memory(dst_md_, Engine(), DNNL_MEMORY_NONE));
  }
  size_t ScratchpadBytes() const override { return conv_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override { return conv_->CreateState(); }
  std::string Describe() const override { return conv_->Describe() + "+sum"; }
  void Run(const RunArgs& args) const override {
    if (args.in[residual_] != args.out[0]) {
      if (residual_md_ == dst_md_) {
        std::memcpy(args.out[0], args.in[residual_], dst_md_.get_size());
      } else {
        CallOneDnn("residual copy", [&] {
          dnnl::memory src(residual_md_, Engine(), const_cast<void*>(args.in[residual_]));
          dnnl::memory dst(dst_md_, Engine(), args.out[0]);
          copy_.execute(static_cast<CpuStream*>(args.stream)->get(), src, dst);
        });
      }
    }
    conv_->Run(args);
  }

 private:
  std::unique_ptr<Kernel> conv_;
  dnnl::memory::desc residual_md_, dst_md_;
  int residual_;
  dnnl::reorder copy_;
};

std::unique_ptr<Kernel> CreateConvolution(const KernelArgs& a) {
  const auto& p = a.param<ConvolutionParam>();
  const std::string what = "Convolution node '" + a.node.name + "'";
  MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
      << "failed to plan " << what << ": the weight must be a parameter, not computed";
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    // The source format is left to the primitive: when the planned layout has no fast
    // implementation (a 3-channel row-major image feeding a channels-last network), the input is
    // reordered per call into the format the primitive prefers.
    auto planned_src = ToMemDesc(a.in[0]);
    // In bfloat16 mode the convolution computes in bfloat16 whatever dtypes its neighbours use.
    const auto compute = a.compute_dtype == DType::kBfloat16 ? dnnl::memory::data_type::bf16
                                                             : planned_src.get_data_type();
    dnnl::memory::desc src_md(planned_src.get_dims(), compute, dnnl::memory::format_tag::any);
    auto dst_md = ToMemDesc(SinglePositionAs(a.out[0], a.in[0].layout));
    dims wdims = ToDims(a.in[1].shape);
    const int nd = static_cast<int>(p.kernel.size());
    dnnl::memory::desc w_user;
    if (p.num_group > 1) {
      wdims[0] /= p.num_group;
      wdims.insert(wdims.begin(), p.num_group);
      using tag = dnnl::memory::format_tag;
      tag t = nd == 1 ? tag::goiw : nd == 2 ? tag::goihw : tag::goidhw;
      w_user = dnnl::memory::desc(wdims, ToDnnl(a.in[1].dtype), t);
    } else {
      w_user = ToMemDesc(a.in[1].shape, a.in[1].dtype);
    }
    dnnl::memory::desc w_any(wdims, compute, dnnl::memory::format_tag::any);
    dims strides(p.stride.begin(), p.stride.end());
    dims dilates, pad(p.pad.begin(), p.pad.end());
    for (int64_t d : p.dilate) dilates.push_back(d - 1);
    dnnl::memory::desc bias_md;
    if (!p.no_bias) bias_md = ToMemDesc(a.in[2].shape, a.in[2].dtype);
    dnnl::primitive_attr attr = DefaultAttr();
    dnnl::post_ops post;
    for (const ConvPostOp& op : p.post_ops) {
      if (op.kind == ConvPostOp::Kind::kSum) {
        post.append_sum(1.0f);
      } else {
        post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
      }
    }
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
        w_any, bias_md, dst_md, strides, dilates, pad, pad, attr);
    const NDArray* w = a.constants[1];
    auto packed = a.weights->GetOrCreate(WeightKey(*w, pd.weights_desc()) + p.weight_scale_key, [&] {
      if (p.weight_scale.empty()) return ReorderToBuffer(w->data->data(), w_user, pd.weights_desc());
      // A folded BatchNorm scales each output channel: scale a temporary copy, then prepack it,
      // so that only the prepacked weights stay in memory.
      MXS_CHECK_CODE(w->dtype == DType::kFloat32, kInternal) << "scaled weights must be float32";
      Buffer scaled(w->nbytes());
      const int64_t channels = static_cast<int64_t>(p.weight_scale.size());
      const int64_t per = w->shape.Size() / channels;
      const float* src = w->data->as<float>();
      float* dst = scaled.as<float>();
      for (int64_t o = 0; o < channels; ++o)
        for (int64_t k = 0; k < per; ++k) dst[o * per + k] = src[o * per + k] * p.weight_scale[o];
      return ReorderToBuffer(scaled.data(), w_user, pd.weights_desc());
    });
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 0, packed});
    if (!p.no_bias) args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kInput, 2, nullptr});
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<PrimitiveKernel>(what, dnnl::convolution_forward(pd), pd, std::move(args));
    if (pd.src_desc() != planned_src)
      kernel = StageInput(std::move(kernel), static_cast<int>(a.in.size()), planned_src, pd.src_desc());
    if (!p.has_sum()) return kernel;
    const int residual = p.num_inputs() - 1;
    return std::make_unique<ResidualConvolution>(std::move(kernel), ToMemDesc(a.in[residual]), pd.dst_desc(),
                                                 residual);
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, convolution) { r.Add("Convolution", cpu::CreateConvolution, Backend::kAnyLayout, Backend::kBf16Converting); }

}  // namespace mxserve
