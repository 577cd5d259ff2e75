// SPDX-License-Identifier: Apache-2.0
// Quantized _sg_mkldnn_conv on oneDNN's int8 convolution, with MXNet 1.9.1's numbers
// (SgMKLDNNConvOperator::Forward): BatchNorm folded into the float32 weight and bias, per-channel
// weight scales 127.5 / max|w_c| (lowered so the int32 bias cannot overflow), weights rounded to
// int8 and the bias to int32 at bind time. MXNet's oneDNN 2.x primitive computes
// requant_c * (acc + bias_s32) then sum and eltwise post-ops; here the same requant_c is the
// weight scale of a oneDNN 3.x primitive and the bias is given in float as bias_s32 * requant_c.
#include "ops/fused_convolution.h"

#include <cmath>
#include <cstring>

#include "backends/backend.h"
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
    // MXNet's UpdateConvWeightBias; eps is a double there as here.
    const int k = p.bn_input();
    const float* gamma = a.constants[k]->data->as<float>();
    const float* beta = a.constants[k + 1]->data->as<float>();
    const float* mean = a.constants[k + 2]->data->as<float>();
    const float* var = a.constants[k + 3]->data->as<float>();
    std::vector<float> new_bias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      const float alpha = static_cast<float>((p.bn.fix_gamma ? 1.0f : gamma[c]) /
                                             std::sqrt(static_cast<double>(var[c]) + p.bn.eps));
      new_bias[c] = bias.empty() ? beta[c] - alpha * mean[c] : beta[c] + alpha * (bias[c] - mean[c]);
      for (int64_t i = 0; i < per; ++i) weight[c * per + i] *= alpha;
    }
    bias = std::move(new_bias);
  }
  const auto& r = p.ranges;
  const DType data_dt = a.in[0].dtype;
  const float data_scale = QuantizeScale(data_dt, r.in[0], r.in[1]);
  // MXNet's GetWeightScales with channel-wise scales (calibrated outputs).
  std::vector<float> wscale(channels);
  for (int64_t c = 0; c < channels; ++c) {
    float lo = weight[c * per], hi = weight[c * per];
    for (int64_t i = 1; i < per; ++i) lo = std::min(lo, weight[c * per + i]), hi = std::max(hi, weight[c * per + i]);
    float s = QuantizeScale(DType::kInt8, lo, hi);
    if (!bias.empty() && bias[c] != 0.f) {
      const float limit = bias[c] > 0 ? static_cast<float>(std::numeric_limits<int32_t>::max())
                                      : static_cast<float>(std::numeric_limits<int32_t>::min());
      s = std::min(s, limit / 2 / bias[c] / data_scale);
    }
    wscale[c] = s;
  }
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
  if (p.with_sum) {
    const int s = p.sum_input();
    q.sum_scale = out_scale / QuantizeScale(a.in[s].dtype, r.in[2], r.in[3]);
  }
  return q;
}

Buffer ToBuffer(const void* data, size_t bytes) {
  Buffer b(bytes);
  std::memcpy(b.data(), data, bytes);
  return b;
}

/// The convolution primitive, after copying the residual into the output buffer when the
/// planner could not share them, and writing the range outputs.
class QuantizedConvolution final : public Kernel {
 public:
  QuantizedConvolution(std::unique_ptr<Kernel> conv, QuantRanges ranges, int residual,
                       dnnl::memory::desc residual_md, dnnl::memory::desc residual_in_dst_md)
      : conv_(std::move(conv)),
        ranges_(std::move(ranges)),
        residual_(residual),
        residual_md_(residual_md),
        residual_in_dst_md_(residual_in_dst_md) {
    if (residual_ >= 0 && residual_md_ != residual_in_dst_md_)
      copy_ = dnnl::reorder(dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE),
                            dnnl::memory(residual_in_dst_md_, Engine(), DNNL_MEMORY_NONE));
  }
  size_t ScratchpadBytes() const override { return conv_->ScratchpadBytes(); }
  std::unique_ptr<KernelState> CreateState() const override {
    auto st = std::make_unique<State>();
    st->conv = conv_->CreateState();
    if (residual_ >= 0 && residual_md_ != residual_in_dst_md_) {
      st->src = dnnl::memory(residual_md_, Engine(), DNNL_MEMORY_NONE);
      st->dst = dnnl::memory(residual_in_dst_md_, Engine(), DNNL_MEMORY_NONE);
    }
    return st;
  }
  std::string Describe() const override { return conv_->Describe() + (residual_ >= 0 ? "+sum" : ""); }
  void Run(const RunArgs& args) const override {
    auto* st = static_cast<State*>(args.state);
    if (residual_ >= 0 && args.in[residual_] != args.out[0]) {
      if (residual_md_ == residual_in_dst_md_) {
        std::memcpy(args.out[0], args.in[residual_], residual_md_.get_size());
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
    WriteRangeOutputs(args, ranges_);
  }

 private:
  struct State final : KernelState {
    std::unique_ptr<KernelState> conv;
    dnnl::memory src, dst;
  };
  std::unique_ptr<Kernel> conv_;
  QuantRanges ranges_;
  int residual_;  ///< index of the residual input, or -1
  dnnl::memory::desc residual_md_, residual_in_dst_md_;
  dnnl::reorder copy_;
};

std::unique_ptr<Kernel> CreateQuantized(const KernelArgs& a, const FusedConvolutionParam& p,
                                        const std::string& what) {
  CheckResolved(p.ranges, what);
  for (int i = 1; i < p.num_base_inputs(); ++i) {
    if (p.with_sum && i == p.sum_input()) continue;
    MXS_CHECK_CODE(a.constants[i] != nullptr, kUnsupported)
        << "failed to plan " << what << ": input " << i << " must be a parameter, not computed";
  }
  MXS_CHECK_CODE(!(p.with_sum && p.with_act && p.act.algorithm == "clip"), kUnsupported)
      << "failed to plan " << what << ": clip before a fused sum is not supported";
  MXS_CHECK_CODE(!p.with_postsum_act || p.postsum_act.algorithm == "relu", kUnsupported)
      << "failed to plan " << what << ": the post-sum activation must be relu";
  const std::string key = "qconv:" + a.node.name + ":" + std::to_string(p.ranges.in[0]) + ":" +
                          std::to_string(p.ranges.in[1]);
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    QuantizedWeights q = QuantizeWeights(p, a);
    const ConvolutionParam& c = p.conv;
    auto planned_src = ToMemDesc(a.in[0]);
    dnnl::memory::desc src_md(planned_src.get_dims(), ToDnnl(a.in[0].dtype), tag::any);
    // With a sum MXNet gives the primitive the residual's descriptor as its destination, so the
    // result saturates to the residual's dtype and its bytes are read as the output's dtype.
    const int residual = p.with_sum ? p.sum_input() : -1;
    TensorDesc dst = a.out[0];
    if (residual >= 0) dst.dtype = a.in[residual].dtype;
    auto dst_md = ToMemDesc(SinglePositionAs(dst, a.in[0].layout));
    dims wdims = ToDims(a.in[1].shape);
    dnnl::memory::desc w_user;
    int scale_mask = 1;
    if (c.num_group > 1) {
      wdims[0] /= c.num_group;
      wdims.insert(wdims.begin(), c.num_group);
      w_user = dnnl::memory::desc(wdims, dnnl::memory::data_type::s8, tag::goihw);
      scale_mask = 3;  // groups and output channels per group
    } else {
      w_user = dnnl::memory::desc(wdims, dnnl::memory::data_type::s8, tag::oihw);
    }
    dnnl::memory::desc w_any(wdims, dnnl::memory::data_type::s8, tag::any);
    dnnl::memory::desc bias_md;
    if (!q.bias.empty()) bias_md = dnnl::memory::desc({c.num_filter}, dnnl::memory::data_type::f32, tag::a);
    dims strides(c.stride.begin(), c.stride.end()), dilates, pad(c.pad.begin(), c.pad.end());
    for (int64_t d : c.dilate) dilates.push_back(d - 1);
    dnnl::primitive_attr attr = DefaultAttr();
    attr.set_scales_mask(DNNL_ARG_WEIGHTS, scale_mask);
    dnnl::post_ops post;
    // A clip without a sum is the output saturation itself (MXNet drops it too).
    if (p.with_act && p.act.algorithm != "clip")
      post.append_eltwise(EltwiseAlgorithm(p.act.algorithm), p.act.alpha, p.act.beta);
    if (p.with_sum) post.append_sum(q.sum_scale);
    if (p.with_postsum_act) post.append_eltwise(dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(post);
    auto pd = dnnl::convolution_forward::primitive_desc(
        Engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, w_any,
        bias_md, dst_md, strides, dilates, pad, pad, attr);
    auto packed = a.weights->GetOrCreate(key + ":w" + WeightKey(*a.constants[1], pd.weights_desc()), [&] {
      return ReorderToBuffer(q.weight.data(), w_user, pd.weights_desc());
    });
    auto scales = a.weights->GetOrCreate(key + ":s", [&] {
      return ToBuffer(q.requant.data(), q.requant.size() * sizeof(float));
    });
    std::vector<PrimitiveArg> args;
    using Src = PrimitiveArg::Source;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), Src::kConstant, 0, packed});
    args.push_back({DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS,
                    dnnl::memory::desc({static_cast<int64_t>(q.requant.size())}, dnnl::memory::data_type::f32, tag::a),
                    Src::kConstant, 0, scales});
    if (!q.bias.empty()) {
      auto bias = a.weights->GetOrCreate(key + ":b", [&] { return ToBuffer(q.bias.data(), q.bias.size() * sizeof(float)); });
      args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), Src::kConstant, 0, bias});
    }
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr});
    std::unique_ptr<Kernel> kernel =
        std::make_unique<PrimitiveKernel>(what, dnnl::convolution_forward(pd), pd, std::move(args));
    // The primitive reads only input 0 (weights, bias and scales are constants).
    if (pd.src_desc() != planned_src) kernel = StageInput(std::move(kernel), 1, planned_src, pd.src_desc());
    dnnl::memory::desc residual_md, residual_in_dst_md;
    if (residual >= 0) {
      residual_md = ToMemDesc(a.in[residual]);
      residual_in_dst_md = pd.dst_desc();
    }
    return std::make_unique<QuantizedConvolution>(std::move(kernel), p.ranges, residual, residual_md,
                                                  residual_in_dst_md);
  });
}

std::unique_ptr<Kernel> CreateFusedConvolution(const KernelArgs& a) {
  const auto& p = a.param<FusedConvolutionParam>();
  const std::string what = NodeDesc(a.node);
  MXS_CHECK_CODE(p.quantized, kUnsupported)
      << "failed to plan " << what << ": float32 _sg_mkldnn_conv nodes are not supported; export "
         "the model before optimize_for('MKLDNN') or quantize it";
  return CreateQuantized(a, p, what);
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, fused_convolution) {
  r.Add("_sg_mkldnn_conv", cpu::CreateFusedConvolution, Backend::kAnyLayout);
}

}  // namespace mxserve
