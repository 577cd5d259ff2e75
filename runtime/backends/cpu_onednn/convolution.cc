// SPDX-License-Identifier: Apache-2.0
// Convolution on oneDNN: activations in the planned layout, weights prepacked once into the
// format the primitive prefers and shared through the WeightCache.
#include "ops/convolution.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/layout_adapter.h"
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
    if (residual_md_ != dst_md_)
      copy_ = dnnl::reorder(dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE),
                            dnnl::memory(dst_md_, Engine(), DNNL_MEMORY_NONE));
  }
  size_t ScratchpadBytes() const override { return conv_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<State>();
    st->conv = conv_->CreateState();
    if (residual_md_ != dst_md_) {
      CallOneDnn("residual copy", [&] {
        st->src = dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE);
        st->dst = dnnl::memory(dst_md_, Engine(), DNNL_MEMORY_NONE);
      });
    }
    return st;
  }
  std::string Describe() const override { return conv_->Describe() + "+sum"; }
  void Run(const RunArgs& args) const override {
    auto* st = static_cast<State*>(args.state);
    if (args.in[residual_] != args.out[0]) {
      if (residual_md_ == dst_md_) {
        std::memcpy(args.out[0], args.in[residual_], dst_md_.get_size());
      } else {
        CallOneDnn("residual copy", [&] {
          st->src.set_data_handle(const_cast<void*>(args.in[residual_]));
          st->dst.set_data_handle(args.out[0]);
          copy_.execute(static_cast<CpuStream*>(args.stream)->get(), st->src, st->dst);
        });
      }
    }
    RunArgs conv_args = args;
    conv_args.state = st->conv.get();
    conv_->Run(conv_args);
  }

 private:
  /// Per-context state: the convolution's own, and the residual copy's memory objects.
  struct State final : KernelState {
    std::unique_ptr<KernelState> conv;  ///< the wrapped convolution's state
    dnnl::memory src, dst;              ///< residual copy source and destination
  };
  std::unique_ptr<Kernel> conv_;
  dnnl::memory::desc residual_md_, dst_md_;
  int residual_;
  dnnl::reorder copy_;
};

// Prepacks parameter `w` (laid out as `user`) into `packed` through the weight cache. A folded
// BatchNorm scales each output channel by `scale`: a temporary copy is scaled, then prepacked,
// so that only the prepacked weights stay in memory.
std::shared_ptr<const Buffer> PrepackWeight(const KernelArgs& a, const NDArray& w, const dnnl::memory::desc& user,
                                            const dnnl::memory::desc& packed, const std::vector<float>& scale,
                                            const std::string& scale_key) {
  return a.weights->GetOrCreate(WeightKey(w, packed) + scale_key, [&] {
    if (scale.empty()) return ReorderToBuffer(w.data->data(), user, packed);
    MXS_CHECK_CODE(w.dtype == DType::kFloat32, kInternal) << "scaled weights must be float32";
    Buffer scaled(w.nbytes());
    const int64_t channels = static_cast<int64_t>(scale.size());
    const int64_t per = w.shape.Size() / channels;
    const float* src = w.data->as<float>();
    float* dst = scaled.as<float>();
    for (int64_t o = 0; o < channels; ++o)
      for (int64_t k = 0; k < per; ++k) dst[o * per + k] = src[o * per + k] * scale[o];
    return ReorderToBuffer(scaled.data(), user, packed);
  });
}

void AppendEltwise(dnnl::post_ops& post, const std::vector<ConvPostOp>& ops) {
  for (const ConvPostOp& op : ops) {
    if (op.kind == ConvPostOp::Kind::kSum) {
      post.append_sum(1.0f);
    } else {
      post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
    }
  }
}

// In bfloat16 mode a convolution computes in bfloat16 whatever dtypes its neighbours use.
dnnl::memory::data_type ComputeType(const KernelArgs& a) {
  return a.compute_dtype == DType::kBfloat16 ? dnnl::memory::data_type::bf16 : ToDnnl(a.in[0].dtype);
}

// One convolution primitive for `p` (which has no depthwise stage), with inputs and outputs as
// described by `a`.
std::unique_ptr<Kernel> CreateSingle(const KernelArgs& a, const ConvolutionParam& p, const std::string& what) {
  MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
      << "failed to plan " << what << ": the weight must be a parameter, not computed";
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    // The source format is left to the primitive: when the planned layout has no fast
    // implementation (a 3-channel row-major image feeding a channels-last network), the input is
    // reordered per call into the format the primitive prefers.
    auto planned_src = ToMemDesc(a.in[0]);
    const auto compute = ComputeType(a);
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
    AppendEltwise(post, p.post_ops);
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
        w_any, bias_md, dst_md, strides, dilates, pad, pad, attr);
    auto packed = PrepackWeight(a, *a.constants[1], w_user, pd.weights_desc(), p.weight_scale, p.weight_scale_key);
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

// A 1x1 convolution and its depthwise stage as one primitive (the depthwise post-op).
class FusedDepthwiseKernel final : public PrimitiveKernel {
 public:
  using PrimitiveKernel::PrimitiveKernel;
  std::string Describe() const override { return PrimitiveKernel::Describe() + "+dw"; }
};

// The depthwise stage as a convolution of its own.
ConvolutionParam DepthwiseParam(const ConvolutionParam& p) {
  const DepthwiseStage& dw = *p.depthwise;
  ConvolutionParam q;
  q.kernel = {dw.kernel, dw.kernel};
  q.stride = {dw.stride, dw.stride};
  q.dilate = {1, 1};
  q.pad = {dw.pad, dw.pad};
  q.num_filter = p.num_filter;
  q.num_group = p.num_filter;
  q.no_bias = dw.no_bias;
  q.post_ops = dw.post_ops;
  q.weight_scale = dw.weight_scale;
  q.weight_scale_key = dw.weight_scale_key;
  return q;
}

// The fused primitive, or null when oneDNN offers none for these descriptions (any dnnl::error),
// when its output format is not the planned one (a row-major output: the fused primitive writes
// the format of its intermediate, channels-last here), or when its only offer is the reference
// composition (small images or batches).
std::unique_ptr<Kernel> CreateFusedDepthwise(const KernelArgs& a, const ConvolutionParam& p,
                                             const std::string& what) {
  try {
    const DepthwiseStage& dw = *p.depthwise;
    const int wi = p.dw_weight_input();
    auto planned_src = ToMemDesc(a.in[0]);
    const auto compute = ComputeType(a);
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc src_md(planned_src.get_dims(), compute, tag::any);
    dims mid_dims = planned_src.get_dims();
    mid_dims[1] = p.num_filter;
    dnnl::memory::desc mid_md(mid_dims, compute, tag::nhwc);
    auto planned_dst = ToMemDesc(SinglePositionAs(a.out[0], Layout::kChannelsLast));
    dims wdims = ToDims(a.in[1].shape);
    dnnl::memory::desc w_any(wdims, compute, tag::any);
    dnnl::memory::desc bias_md;
    if (!p.no_bias) bias_md = ToMemDesc(a.in[2].shape, a.in[2].dtype);
    const auto dw_bias_dt = dw.no_bias ? dnnl::memory::data_type::undef : ToDnnl(a.in[wi + 1].dtype);
    dnnl::primitive_attr attr = DefaultAttr();
    dnnl::post_ops post;
    AppendEltwise(post, p.post_ops);
    post.append_dw(compute, dw_bias_dt, ToDnnl(a.out[0].dtype), dw.kernel, dw.stride, dw.pad);
    AppendEltwise(post, dw.post_ops);
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, w_any,
        bias_md, mid_md, dims{1, 1}, dims{0, 0}, dims{0, 0}, dims{0, 0}, attr);
    if (pd.dst_desc() != planned_dst) return nullptr;
    // oneDNN's ref_fused_convolution runs the two convolutions one after the other, building
    // their memory objects on every call; DepthwisePair does the same with them built once.
    if (std::string(pd.impl_info_str()).rfind("ref_fused_convolution", 0) == 0) return nullptr;
    const int dw_arg = DNNL_ARG_ATTR_POST_OP_DW;
    auto dw_w_md = pd.query_md(dnnl::query::exec_arg_md, dw_arg | DNNL_ARG_WEIGHTS);
    auto packed = PrepackWeight(a, *a.constants[1], ToMemDesc(a.in[1].shape, a.in[1].dtype), pd.weights_desc(),
                                p.weight_scale, p.weight_scale_key);
    dnnl::memory::desc dw_user({p.num_filter, 1, 1, dw.kernel, dw.kernel}, ToDnnl(a.in[wi].dtype), tag::goihw);
    auto dw_packed = PrepackWeight(a, *a.constants[wi], dw_user, dw_w_md, dw.weight_scale, dw.weight_scale_key);
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 0, packed});
    if (!p.no_bias) args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kInput, 2, nullptr});
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
    args.push_back({dw_arg | DNNL_ARG_WEIGHTS, dw_w_md, PrimitiveArg::Source::kConstant, 0, dw_packed});
    if (!dw.no_bias)
      args.push_back({dw_arg | DNNL_ARG_BIAS, pd.query_md(dnnl::query::exec_arg_md, dw_arg | DNNL_ARG_BIAS),
                      PrimitiveArg::Source::kInput, wi + 1, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<FusedDepthwiseKernel>(what, dnnl::convolution_forward(pd), pd, std::move(args));
    if (pd.src_desc() != planned_src)
      kernel = StageInput(std::move(kernel), static_cast<int>(a.in.size()), planned_src, pd.src_desc());
    return kernel;
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

// The fallback when there is no fused primitive: the 1x1 convolution writes the intermediate
// into the scratchpad, then the depthwise convolution reads it from there.
class DepthwisePair final : public Kernel {
 public:
  DepthwisePair(std::unique_ptr<Kernel> pointwise, std::unique_ptr<Kernel> depthwise, size_t mid_bytes,
                int dw_input, int num_dw_inputs)
      : pointwise_(std::move(pointwise)),
        depthwise_(std::move(depthwise)),
        offset_((mid_bytes + 63) / 64 * 64),
        dw_input_(dw_input),
        num_dw_inputs_(num_dw_inputs) {}
  size_t ScratchpadBytes() const override {
    return offset_ + std::max(pointwise_->ScratchpadBytes(), depthwise_->ScratchpadBytes());
  }
  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<State>();
    st->pointwise = pointwise_->CreateState();
    st->depthwise = depthwise_->CreateState();
    return st;
  }
  std::string Describe() const override { return pointwise_->Describe() + " then " + depthwise_->Describe(); }
  void Run(const RunArgs& args) const override {
    auto* st = static_cast<State*>(args.state);
    void* mid = args.scratchpad;
    void* inner = static_cast<uint8_t*>(args.scratchpad) + offset_;
    std::array<void*, 1> mid_out{mid};
    pointwise_->Run(RunArgs{args.in, mid_out.data(), inner, args.stream, st->pointwise.get()});
    std::array<const void*, 3> in{mid, nullptr, nullptr};
    for (int k = 0; k < num_dw_inputs_; ++k) in[1 + k] = args.in[dw_input_ + k];
    depthwise_->Run(RunArgs{in.data(), args.out, inner, args.stream, st->depthwise.get()});
  }

 private:
  struct State final : KernelState {
    std::unique_ptr<KernelState> pointwise, depthwise;
  };
  std::unique_ptr<Kernel> pointwise_, depthwise_;
  size_t offset_;      ///< where the sub-kernels' scratchpad starts, after the intermediate
  int dw_input_;       ///< index of the depthwise weight among the node's inputs
  int num_dw_inputs_;  ///< depthwise weight, and bias unless it has none
};

std::unique_ptr<Kernel> CreateDepthwisePair(const KernelArgs& a, const ConvolutionParam& p,
                                            const std::string& what) {
  const int wi = p.dw_weight_input();
  ConvolutionParam pw = p;
  pw.depthwise.reset();
  ConvolutionParam dw = DepthwiseParam(p);
  // The intermediate is what the layout and precision passes would have planned for it:
  // channels-last (both convolutions' fast kernels use it), bfloat16 in bfloat16 mode.
  TensorDesc mid;
  std::vector<int64_t> mid_dims = a.in[0].shape.dims();
  mid_dims[1] = p.num_filter;
  mid.shape = Shape(mid_dims);
  mid.dtype = a.compute_dtype == DType::kBfloat16 ? DType::kBfloat16 : a.in[0].dtype;
  mid.layout = Layout::kChannelsLast;
  KernelArgs first{a.node, {}, {mid}, {}, a.weights, a.compute_dtype};
  for (int k = 0; k < wi; ++k) {
    first.in.push_back(a.in[k]);
    first.constants.push_back(a.constants[k]);
  }
  KernelArgs second{a.node, {mid}, {a.out[0]}, {nullptr}, a.weights, a.compute_dtype};
  for (int k = wi; k < wi + p.num_dw_inputs(); ++k) {
    second.in.push_back(a.in[k]);
    second.constants.push_back(a.constants[k]);
  }
  auto pointwise = CreateSingle(first, pw, what);
  auto depthwise = CreateSingle(second, dw, what + " (depthwise stage)");
  return std::make_unique<DepthwisePair>(std::move(pointwise), std::move(depthwise), mid.nbytes(), wi,
                                         p.num_dw_inputs());
}

std::unique_ptr<Kernel> CreateConvolution(const KernelArgs& a) {
  const auto& p = a.param<ConvolutionParam>();
  const std::string what = "Convolution node '" + a.node.name + "'";
  if (!p.depthwise) return CreateSingle(a, p, what);
  const bool weights = a.constants[1] != nullptr && a.constants[p.dw_weight_input()] != nullptr;
  MXS_CHECK_CODE(weights && !p.has_sum(), kInternal)
      << "failed to plan " << what << ": a fused depthwise stage needs parameter weights and no residual";
  auto fused = CreateFusedDepthwise(a, p, what);
  return fused ? std::move(fused) : CreateDepthwisePair(a, p, what);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, convolution) { r.Add("Convolution", cpu::CreateConvolution, Backend::kAnyLayout, Backend::kBf16Converting); }

}  // namespace mxserve
