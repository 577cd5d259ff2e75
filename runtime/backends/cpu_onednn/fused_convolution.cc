// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_conv on oneDNN: float32 nodes run the convolution kernel (convolution.cc); quantized
// ones oneDNN's int8 convolution, with MXNet 1.9.1's numbers
// (SgMKLDNNConvOperator::Forward): BatchNorm folded into the float32 weight and bias, per-channel
// weight scales 127.5 / max|w_c| (lowered so the int32 bias cannot overflow), weights rounded to
// int8 and the bias to int32 at bind time. MXNet's oneDNN 2.x primitive computes
// requant_c * (acc + bias_s32) then sum and eltwise post-ops; here the same requant_c is the
// weight scale of a oneDNN 3.x primitive and the bias is given in float as bias_s32 * requant_c.
#include "ops/fused_convolution.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/convolution.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/layout_adapter.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/quantized_common.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {
namespace {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;

/// Weights, bias and scales of one quantized convolution, computed once at bind time.
struct QuantizedWeights {
  std::vector<int8_t> weight;     ///< (F, C/G, kh, kw) row-major
  std::vector<float> bias;        ///< bias_s32 * requant, per output channel (empty: no bias)
  std::vector<float> requant;     ///< output scale / (data scale * weight scale), per channel
  float sum_scale = 1.f;          ///< applied to the residual by the sum post-op
};

QuantizedWeights QuantizeWeights(const FusedConvolutionParam& p, const KernelArgs& a) {
  const NDArray& w = *a.constants[1];
  const int64_t channels = p.conv.num_filter;
  const int64_t per = w.shape.Size() / channels;
  std::vector<float> weight(w.data->as<float>(), w.data->as<float>() + w.shape.Size());
  std::vector<float> bias;
  if (!p.conv.no_bias) {
    const float* b = a.constants[2]->data->as<float>();
    bias.assign(b, b + channels);
  }
  if (p.with_bn) {
    FoldedBatchNorm bn = FoldSubgraphBatchNorm(p, a);
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < per; ++i) weight[c * per + i] *= bn.scale[c];
    bias = std::move(bn.bias);
  }
  const auto& r = p.ranges;
  const DType data_dt = a.in[0].dtype;
  const float data_scale = QuantizeScale(data_dt, r.in[0], r.in[1]);
  const std::vector<float> wscale = ChannelWeightScales(weight.data(), channels, per,
                                                        bias.empty() ? nullptr : bias.data(), data_scale);
  const DType out_dt = p.OutputIsUnsigned() ? DType::kUint8 : DType::kInt8;
  const float out_scale = QuantizeScale(out_dt, r.out_min, r.out_max);
  QuantizedWeights q;
  q.weight.resize(weight.size());
  q.requant.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    q.requant[c] = out_scale / data_scale / wscale[c];
    for (int64_t i = 0; i < per; ++i) q.weight[c * per + i] = SaturateRound<int8_t>(weight[c * per + i] * wscale[c]);
  }
  if (!bias.empty()) {
    q.bias.resize(channels);
    for (int64_t c = 0; c < channels; ++c) {
      const int32_t b = SaturateRound<int32_t>(bias[c] * (wscale[c] * data_scale));
      q.bias[c] = static_cast<float>(b) * q.requant[c];
    }
  }
  if (p.has_sum()) {
    const int s = p.sum_input();
    q.sum_scale = out_scale / QuantizeScale(a.in[s].dtype, r.in[2], r.in[3]);
  }
  return q;
}

std::unique_ptr<Kernel> CreateQuantized(const KernelArgs& a, const FusedConvolutionParam& p,
                                        const std::string& what) {
  CheckResolved(p.ranges, what);
  MXS_CHECK_CODE(!p.depthwise, kInternal) << "failed to plan " << what << ": a quantized depthwise stage";
  const int residual = p.has_sum() ? p.sum_input() : -1;
  for (int i = 1; i < p.num_base_inputs(); ++i) {
    if (i == residual) continue;
    MXS_CHECK_CODE(a.constants[i] != nullptr, kUnsupported)
        << "failed to plan " << what << ": input " << i << " must be a parameter, not computed";
  }
  // MXNet's steps: act, sum, postsum_act.
  bool after_sum = false;
  for (const ConvPostOp& op : p.post_ops) {
    if (op.kind == ConvPostOp::Kind::kSum) {
      after_sum = true;
      continue;
    }
    MXS_CHECK_CODE(!after_sum || op.algorithm == "relu", kUnsupported)
        << "failed to plan " << what << ": the post-sum activation must be relu";
    MXS_CHECK_CODE(op.algorithm != "clip" || residual < 0, kUnsupported)
        << "failed to plan " << what << ": clip before a fused sum is not supported";
  }
  const std::string key = "qconv:" + a.node.name + ":" + std::to_string(p.ranges.in[0]) + ":" +
                          std::to_string(p.ranges.in[1]);
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    QuantizedWeights q = QuantizeWeights(p, a);
    const ConvolutionParam& c = p.conv;
    auto planned_src = ToMemDesc(a.in[0]);
    dnnl::memory::desc src_md(planned_src.get_dims(), ToDnnl(a.in[0].dtype), tag::any);
    // With a sum MXNet gives the primitive the residual's descriptor as its destination, so the
    // result saturates to the residual's dtype and its bytes are read as the output's dtype.
    TensorDesc dst = a.out[0];
    if (residual >= 0) dst.dtype = a.in[residual].dtype;
    auto dst_md = ToMemDesc(SinglePositionAs(dst, a.in[0].layout));
    const ConvWeightDims w = ConvWeight(c, a.in[1].shape, dnnl::memory::data_type::s8);
    const int scale_mask = c.num_group > 1 ? 3 : 1;  // (groups and) output channels
    dnnl::memory::desc w_any(w.dims, dnnl::memory::data_type::s8, tag::any);
    dnnl::memory::desc bias_md;
    if (!q.bias.empty()) bias_md = dnnl::memory::desc({c.num_filter}, dnnl::memory::data_type::f32, tag::a);
    dims strides(c.stride.begin(), c.stride.end()), dilates, pad(c.pad.begin(), c.pad.end());
    for (int64_t d : c.dilate) dilates.push_back(d - 1);
    dnnl::primitive_attr attr = DefaultAttr();
    attr.set_scales_mask(DNNL_ARG_WEIGHTS, scale_mask);
    // A clip without a sum is the output saturation itself (MXNet drops it too).
    dnnl::post_ops post;
    for (const ConvPostOp& op : p.post_ops) {
      if (op.kind == ConvPostOp::Kind::kSum) {
        post.append_sum(q.sum_scale);
      } else if (op.algorithm != "clip") {
        post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
      }
    }
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, w_any,
        bias_md, dst_md, strides, dilates, pad, pad, attr);
    auto packed = a.weights->GetOrCreate(key + ":w" + WeightKey(*a.constants[1], pd.weights_desc()), [&] {
      return ReorderToBuffer(q.weight.data(), w.user, pd.weights_desc());
    });
    auto scales = a.weights->GetOrCreate(key + ":s", [&] {
      return CopyToBuffer(q.requant.data(), q.requant.size() * sizeof(float));
    });
    std::vector<PrimitiveArg> args;
    using Src = PrimitiveArg::Source;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), Src::kConstant, 0, packed});
    args.push_back({DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS,
                    dnnl::memory::desc({static_cast<int64_t>(q.requant.size())}, dnnl::memory::data_type::f32, tag::a),
                    Src::kConstant, 0, scales});
    if (!q.bias.empty()) {
      auto bias = a.weights->GetOrCreate(key + ":b", [&] {
        return CopyToBuffer(q.bias.data(), q.bias.size() * sizeof(float));
      });
      args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), Src::kConstant, 0, bias});
    }
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<PrimitiveKernel>(what, dnnl::convolution_forward(pd), pd, std::move(args));
    // The primitive reads only input 0 (weights, bias and scales are constants).
    if (pd.src_desc() != planned_src) kernel = StageInput(std::move(kernel), 1, planned_src, pd.src_desc());
    if (residual >= 0)
      kernel = std::make_unique<ResidualKernel>(std::move(kernel), ToMemDesc(a.in[residual]), pd.dst_desc(),
                                                residual);
    return std::make_unique<RangeOutputKernel>(std::move(kernel), p.ranges, a.out[1].dtype);
  });
}

std::unique_ptr<Kernel> CreateFusedConvolution(const KernelArgs& a) {
  const auto& p = a.param<FusedConvolutionParam>();
  const std::string what = NodeDesc(a.node);
  return p.quantized ? CreateQuantized(a, p, what) : CreateFloatConvolution(a, p, what);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, fused_convolution) {
  // Quantized nodes have no float activations but their (1,) ranges, which they write in the
  // planned dtype (quantized_common.h).
  r.Add("_sg_mkldnn_conv", cpu::CreateFusedConvolution, Backend::kAnyLayout, Backend::kBf16Converting)
      .DTypes(dtypes::kQuantized);
}

}  // namespace mxserve
