// SPDX-License-Identifier: Apache-2.0
// Convolution and float32 _sg_mkldnn_conv on oneDNN, one implementation: activations in the
// planned layout, weights prepacked once into the format the primitive prefers and shared
// through the WeightCache, and whatever the fused param adds (a subgraph BatchNorm, a folded
// weight scale, post-ops with a residual sum, a depthwise stage). A Convolution is the fused
// convolution with nothing fused.
#include "backends/cpu_onednn/convolution.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "backends/backend.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/weight_cache.h"
#include "ops/convolution.h"

namespace mxserve {
namespace cpu {

using dims = dnnl::memory::dims;

ResidualKernel::ResidualKernel(std::unique_ptr<Kernel> conv, const dnnl::memory::desc& residual_md,
                               const dnnl::memory::desc& dst_md, int residual)
    : conv_(std::move(conv)), residual_md_(residual_md), dst_md_(dst_md), residual_(residual) {
  if (residual_md_ != dst_md_)
    copy_ = dnnl::reorder(dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE),
                          dnnl::memory(dst_md_, Engine(), DNNL_MEMORY_NONE));
}

std::unique_ptr<KernelState> ResidualKernel::CreateState() const {
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

void ResidualKernel::Run(const RunArgs& args) const {
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

ConvWeightDims ConvWeight(const ConvolutionParam& c, const Shape& shape, dnnl::memory::data_type dt) {
  ConvWeightDims w;
  w.dims = ToDims(shape);
  const int nd = static_cast<int>(c.kernel.size());
  using tag = dnnl::memory::format_tag;
  if (c.num_group > 1) {
    w.dims[0] /= c.num_group;
    w.dims.insert(w.dims.begin(), c.num_group);
    w.user = dnnl::memory::desc(w.dims, dt, nd == 1 ? tag::goiw : nd == 2 ? tag::goihw : tag::goidhw);
  } else {
    w.user = dnnl::memory::desc(w.dims, dt, PlainTag(shape.ndim(), Layout::kRowMajor));
  }
  return w;
}

FoldedBatchNorm FoldSubgraphBatchNorm(const FusedConvolutionParam& p, const KernelArgs& a) {
  const int64_t channels = p.conv.num_filter;
  const int k = p.bn_input();
  for (int i = p.conv.no_bias ? k : 2; i < k + 4; ++i)
    MXS_CHECK_CODE(a.constants[i] != nullptr && a.constants[i]->dtype == DType::kFloat32, kUnsupported)
        << "failed to plan " << NodeDesc(a.node) << ": input " << i << " must be a float32 parameter";
  const float* bias = p.conv.no_bias ? nullptr : a.constants[2]->data->as<float>();
  const float* gamma = a.constants[k]->data->as<float>();
  const float* beta = a.constants[k + 1]->data->as<float>();
  const float* mean = a.constants[k + 2]->data->as<float>();
  const float* var = a.constants[k + 3]->data->as<float>();
  FoldedBatchNorm f;
  f.scale.resize(channels);
  f.bias.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    // eps is a double in MXNet as here.
    const float alpha = static_cast<float>((p.bn.fix_gamma ? 1.0f : gamma[c]) /
                                           std::sqrt(static_cast<double>(var[c]) + p.bn.eps));
    f.scale[c] = alpha;
    f.bias[c] = bias ? beta[c] + alpha * (bias[c] - mean[c]) : beta[c] - alpha * mean[c];
  }
  return f;
}

namespace {

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
std::unique_ptr<Kernel> CreateSingle(const KernelArgs& a, const FusedConvolutionParam& p, const std::string& what) {
  MXS_CHECK_CODE(a.constants[1] != nullptr, kUnsupported)
      << "failed to plan " << what << ": the weight must be a parameter, not computed";
  const ConvolutionParam& c = p.conv;
  // A subgraph BatchNorm scales the weight and replaces the bias, both at bind time.
  std::vector<float> weight_scale = p.weight_scale;
  std::string weight_scale_key = p.weight_scale_key;
  std::shared_ptr<const Buffer> folded_bias;
  if (p.with_bn) {
    FoldedBatchNorm bn = FoldSubgraphBatchNorm(p, a);
    if (weight_scale.empty()) weight_scale.assign(bn.scale.size(), 1.f);
    for (size_t o = 0; o < bn.scale.size(); ++o) weight_scale[o] *= bn.scale[o];
    weight_scale_key += ":sgbn:" + a.node.name;
    const std::string key = "sgbn:" + a.node.name + ":" +
                            std::to_string(reinterpret_cast<uintptr_t>(a.constants[1]->data.get()));
    folded_bias = a.weights->GetOrCreate(key + ":b", [&] {
      return CopyToBuffer(bn.bias.data(), bn.bias.size() * sizeof(float));
    });
  }
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    // The source format is left to the primitive: when the planned layout has no fast
    // implementation (a 3-channel row-major image feeding a channels-last network), the input is
    // reordered per call into the format the primitive prefers.
    auto planned_src = ToMemDesc(a.in[0]);
    const auto compute = ComputeType(a);
    dnnl::memory::desc src_md(planned_src.get_dims(), compute, dnnl::memory::format_tag::any);
    auto dst_md = ToMemDesc(SinglePositionAs(a.out[0], a.in[0].layout));
    const ConvWeightDims w = ConvWeight(c, a.in[1].shape, ToDnnl(a.in[1].dtype));
    dnnl::memory::desc w_any(w.dims, compute, dnnl::memory::format_tag::any);
    dims strides(c.stride.begin(), c.stride.end());
    dims dilates, pad(c.pad.begin(), c.pad.end());
    for (int64_t d : c.dilate) dilates.push_back(d - 1);
    dnnl::memory::desc bias_md;
    if (folded_bias) {
      bias_md = dnnl::memory::desc({c.num_filter}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    } else if (!c.no_bias) {
      bias_md = ToMemDesc(a.in[2].shape, a.in[2].dtype);
    }
    dnnl::primitive_attr attr = DefaultAttr();
    dnnl::post_ops post;
    AppendEltwise(post, p.post_ops);
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
        w_any, bias_md, dst_md, strides, dilates, pad, pad, attr);
    auto packed = PrepackWeight(a, *a.constants[1], w.user, pd.weights_desc(), weight_scale, weight_scale_key);
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 0, packed});
    if (folded_bias) {
      args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kConstant, 0, folded_bias});
    } else if (!c.no_bias) {
      args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kInput, 2, nullptr});
    }
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), PrimitiveArg::Source::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<PrimitiveKernel>(what, dnnl::convolution_forward(pd), pd, std::move(args));
    if (pd.src_desc() != planned_src)
      kernel = StageInput(std::move(kernel), static_cast<int>(a.in.size()), planned_src, pd.src_desc());
    if (!p.has_sum()) return kernel;
    const int residual = p.sum_input();
    return std::make_unique<ResidualKernel>(std::move(kernel), ToMemDesc(a.in[residual]), pd.dst_desc(), residual);
  });
}

// A 1x1 convolution and its depthwise stage as one primitive (the depthwise post-op).
class FusedDepthwiseKernel final : public PrimitiveKernel {
 public:
  using PrimitiveKernel::PrimitiveKernel;
  std::string Describe() const override { return PrimitiveKernel::Describe() + "+dw"; }
};

// The depthwise stage as a convolution of its own.
FusedConvolutionParam DepthwiseParam(const FusedConvolutionParam& p) {
  const DepthwiseStage& dw = *p.depthwise;
  FusedConvolutionParam q;
  q.conv.kernel = {dw.kernel, dw.kernel};
  q.conv.stride = {dw.stride, dw.stride};
  q.conv.dilate = {1, 1};
  q.conv.pad = {dw.pad, dw.pad};
  q.conv.num_filter = p.conv.num_filter;
  q.conv.num_group = p.conv.num_filter;
  q.conv.no_bias = dw.no_bias;
  q.post_ops = dw.post_ops;
  q.weight_scale = dw.weight_scale;
  q.weight_scale_key = dw.weight_scale_key;
  return q;
}

// The fused primitive, or null when oneDNN offers none for these descriptions (any dnnl::error),
// when its output format is not the planned one (a row-major output: the fused primitive writes
// the format of its intermediate, channels-last here), or when its only offer is the reference
// composition (small images or batches).
std::unique_ptr<Kernel> CreateFusedDepthwise(const KernelArgs& a, const FusedConvolutionParam& p,
                                             const std::string& what) {
  try {
    const DepthwiseStage& dw = *p.depthwise;
    const int wi = p.dw_weight_input();
    auto planned_src = ToMemDesc(a.in[0]);
    const auto compute = ComputeType(a);
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc src_md(planned_src.get_dims(), compute, tag::any);
    dims mid_dims = planned_src.get_dims();
    mid_dims[1] = p.conv.num_filter;
    dnnl::memory::desc mid_md(mid_dims, compute, tag::nhwc);
    auto planned_dst = ToMemDesc(SinglePositionAs(a.out[0], Layout::kChannelsLast));
    dims wdims = ToDims(a.in[1].shape);
    dnnl::memory::desc w_any(wdims, compute, tag::any);
    dnnl::memory::desc bias_md;
    if (!p.conv.no_bias) bias_md = ToMemDesc(a.in[2].shape, a.in[2].dtype);
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
    dnnl::memory::desc dw_user({p.conv.num_filter, 1, 1, dw.kernel, dw.kernel}, ToDnnl(a.in[wi].dtype), tag::goihw);
    auto dw_packed = PrepackWeight(a, *a.constants[wi], dw_user, dw_w_md, dw.weight_scale, dw.weight_scale_key);
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), PrimitiveArg::Source::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), PrimitiveArg::Source::kConstant, 0, packed});
    if (!p.conv.no_bias) args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), PrimitiveArg::Source::kInput, 2, nullptr});
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

std::unique_ptr<Kernel> CreateDepthwisePair(const KernelArgs& a, const FusedConvolutionParam& p,
                                            const std::string& what) {
  const int wi = p.dw_weight_input();
  FusedConvolutionParam pw = p;
  pw.depthwise.reset();
  FusedConvolutionParam dw = DepthwiseParam(p);
  // The intermediate is what the layout and precision passes would have planned for it:
  // channels-last (both convolutions' fast kernels use it), bfloat16 in bfloat16 mode.
  TensorDesc mid;
  std::vector<int64_t> mid_dims = a.in[0].shape.dims();
  mid_dims[1] = p.conv.num_filter;
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
  return CreateFloatConvolution(a, FusedConvolutionParam::Of(a.param<ConvolutionParam>()),
                                "Convolution node '" + a.node.name + "'");
}

}  // namespace

std::unique_ptr<Kernel> CreateFloatConvolution(const KernelArgs& a, const FusedConvolutionParam& p,
                                               const std::string& what) {
  if (!p.depthwise) return CreateSingle(a, p, what);
  const bool weights = a.constants[1] != nullptr && a.constants[p.dw_weight_input()] != nullptr;
  MXS_CHECK_CODE(weights && !p.has_sum() && !p.with_bn, kInternal)
      << "failed to plan " << what << ": a fused depthwise stage needs parameter weights and no residual";
  auto fused = CreateFusedDepthwise(a, p, what);
  return fused ? std::move(fused) : CreateDepthwisePair(a, p, what);
}

}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, convolution) {
  r.Add("Convolution", cpu::CreateConvolution, Backend::kAnyLayout, Backend::kBf16Converting);
}

}  // namespace mxserve
