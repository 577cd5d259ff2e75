// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_fully_connected on oneDNN: float32 nodes run the FullyConnected kernel
// (fully_connected.cc); quantized ones oneDNN's int8 inner product, with MXNet 1.9.1's numbers
// (SgMKLDNNFCOp::Forward). Tensor-wise: int8 weight and bias from the params with their ranges,
// the bias rescaled to int32 (and the weight rescaled when that would overflow). Channel-wise:
// float32 weight and bias quantized per output channel as for convolutions. MXNet's oneDNN 2.x
// primitive computes scale * (acc + bias_s32); here scale is the weight scale of a oneDNN 3.x
// primitive and the bias is given in float as bias_s32 * scale.
#include "ops/fused_fully_connected.h"

#include <cmath>

#include "backends/backend.h"
#include "backends/cpu_onednn/engine.h"
#include "backends/cpu_onednn/fully_connected.h"
#include "backends/cpu_onednn/primitive_kernel.h"
#include "backends/cpu_onednn/quantized_common.h"
#include "backends/weight_cache.h"

namespace mxserve {
namespace cpu {
namespace {

using tag = dnnl::memory::format_tag;

struct QuantizedFcWeights {
  std::vector<int8_t> weight;  ///< (num_hidden, K)
  std::vector<float> bias;     ///< bias_s32 * scale (empty: no bias)
  std::vector<float> scale;    ///< per channel or one value
};

QuantizedFcWeights Prepare(const FusedFullyConnectedParam& p, const KernelArgs& a) {
  const int64_t channels = p.fc.num_hidden;
  const int64_t k = a.in[1].shape[1];
  const auto& r = p.ranges;
  const float data_scale = QuantizeScale(a.in[0].dtype, r.in[0], r.in[1]);
  const bool has_bias = !p.fc.no_bias;
  QuantizedFcWeights q;
  std::vector<int32_t> bias_s32;
  std::vector<float> wscale;
  if (p.channel_wise) {
    const float* w = a.constants[1]->data->as<float>();
    const float* b = has_bias ? a.constants[2]->data->as<float>() : nullptr;
    wscale = ChannelWeightScales(w, channels, k, b, data_scale);
    q.weight.resize(channels * k);
    for (int64_t c = 0; c < channels; ++c) {
      const float s = wscale[c];
      for (int64_t i = 0; i < k; ++i) q.weight[c * k + i] = SaturateRound<int8_t>(w[c * k + i] * s);
      if (b != nullptr) bias_s32.push_back(SaturateRound<int32_t>(b[c] * (s * data_scale)));
    }
  } else {
    const int8_t* w = a.constants[1]->data->as<int8_t>();
    q.weight.assign(w, w + channels * k);
    wscale.assign(1, QuantizeScale(DType::kInt8, r.in[2], r.in[3]));
    if (has_bias) {
      const float bias_scale = QuantizeScale(DType::kInt8, r.in[4], r.in[5]);
      float rescale = data_scale * wscale[0] / bias_scale;
      const float max_rescale = static_cast<float>(std::numeric_limits<int32_t>::max() / 2) /
                                MaxAbs(r.in[4], r.in[5]) / bias_scale;
      if (rescale > max_rescale) {
        // MXNet shrinks the weight so that the int32 bias cannot overflow.
        rescale = max_rescale;
        const float weight_rescale = rescale * bias_scale / data_scale / wscale[0];
        for (int8_t& v : q.weight) v = static_cast<int8_t>(std::round(v * weight_rescale));
        wscale[0] *= weight_rescale;
      }
      const int8_t* b = a.constants[2]->data->as<int8_t>();
      for (int64_t c = 0; c < channels; ++c) bias_s32.push_back(static_cast<int32_t>(std::round(b[c] * rescale)));
    }
  }
  const bool with_eltwise = !p.post_ops.empty();
  float tmp;
  if (p.requantized()) {
    tmp = with_eltwise ? static_cast<float>(1.0 / data_scale)
                       : QuantizeScale(p.OutputDType(), *p.calib.min, *p.calib.max) / data_scale;
  } else {
    tmp = static_cast<float>(1.0 / data_scale);
  }
  for (float s : wscale) q.scale.push_back(tmp / s);
  for (size_t c = 0; c < bias_s32.size(); ++c)
    q.bias.push_back(static_cast<float>(bias_s32[c]) * q.scale[q.scale.size() == 1 ? 0 : c]);
  return q;
}

std::unique_ptr<Kernel> CreateFusedFullyConnected(const KernelArgs& a) {
  const auto& p = a.param<FusedFullyConnectedParam>();
  const std::string what = NodeDesc(a.node);
  if (!p.quantized) return CreateFloatFullyConnected(a, p, what);
  CheckResolved(p.ranges, what);
  for (int i = 1; i < p.num_base_inputs(); ++i)
    MXS_CHECK_CODE(a.constants[i] != nullptr, kUnsupported)
        << "failed to plan " << what << ": input " << i << " must be a parameter, not computed";
  const int64_t k = a.in[1].shape[1];
  const int64_t n = a.in[0].shape.Size() / k;
  const std::string key = "qfc:" + a.node.name + ":" + std::to_string(p.ranges.in[0]) + ":" +
                          std::to_string(p.ranges.in[1]);
  return CallOneDnn(what, [&]() -> std::unique_ptr<Kernel> {
    QuantizedFcWeights q = Prepare(p, a);
    using dt = dnnl::memory::data_type;
    dnnl::memory::desc src_md({n, k}, ToDnnl(a.in[0].dtype), tag::ab);
    dnnl::memory::desc dst_md({n, p.fc.num_hidden}, ToDnnl(a.out[0].dtype), tag::ab);
    dnnl::memory::desc w_user({p.fc.num_hidden, k}, dt::s8, tag::ab);
    dnnl::memory::desc w_any({p.fc.num_hidden, k}, dt::s8, tag::any);
    dnnl::memory::desc bias_md;
    if (!q.bias.empty()) bias_md = dnnl::memory::desc({p.fc.num_hidden}, dt::f32, tag::a);
    dnnl::primitive_attr attr = DefaultAttr();
    attr.set_scales_mask(DNNL_ARG_WEIGHTS, q.scale.size() == 1 ? 0 : 1);
    float dst_scale = 0.f;
    if (!p.post_ops.empty()) {
      dnnl::post_ops post;
      for (const ConvPostOp& op : p.post_ops) post.append_eltwise(EltwiseAlgorithm(op.algorithm), op.alpha, op.beta);
      attr.set_post_ops(post);
      if (p.requantized()) {
        // MXNet scales after the activation; oneDNN 3.x divides by the destination scale.
        dst_scale = 1.f / QuantizeScale(p.OutputDType(), *p.calib.min, *p.calib.max);
        attr.set_scales_mask(DNNL_ARG_DST, 0);
      }
    }
    auto pd = dnnl::inner_product_forward::primitive_desc(Engine(), dnnl::prop_kind::forward_inference,
                                                          src_md, w_any, bias_md, dst_md, attr);
    auto packed = a.weights->GetOrCreate(key + ":w" + WeightKey(*a.constants[1], pd.weights_desc()), [&] {
      return ReorderToBuffer(q.weight.data(), w_user, pd.weights_desc());
    });
    auto scales = a.weights->GetOrCreate(key + ":s", [&] { return CopyToBuffer(q.scale.data(), q.scale.size() * 4); });
    using Src = PrimitiveArg::Source;
    std::vector<PrimitiveArg> args;
    args.push_back({DNNL_ARG_SRC, pd.src_desc(), Src::kInput, 0, nullptr});
    args.push_back({DNNL_ARG_WEIGHTS, pd.weights_desc(), Src::kConstant, 0, packed});
    args.push_back({DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS,
                    dnnl::memory::desc({static_cast<int64_t>(q.scale.size())}, dt::f32, tag::a), Src::kConstant,
                    0, scales});
    if (dst_scale != 0.f) {
      auto ds = a.weights->GetOrCreate(key + ":d", [&] { return CopyToBuffer(&dst_scale, 4); });
      args.push_back({DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, dnnl::memory::desc({1}, dt::f32, tag::a),
                      Src::kConstant, 0, ds});
    }
    if (!q.bias.empty()) {
      auto bias = a.weights->GetOrCreate(key + ":b", [&] { return CopyToBuffer(q.bias.data(), q.bias.size() * 4); });
      args.push_back({DNNL_ARG_BIAS, pd.bias_desc(), Src::kConstant, 0, bias});
    }
    args.push_back({DNNL_ARG_DST, pd.dst_desc(), Src::kOutput, 0, nullptr});
    auto kernel = std::make_unique<PrimitiveKernel>(what, dnnl::inner_product_forward(pd), pd, std::move(args));
    if (!p.HasRangeOutputs()) return std::unique_ptr<Kernel>(std::move(kernel));
    return std::unique_ptr<Kernel>(std::make_unique<RangeOutputKernel>(std::move(kernel), p.ranges, a.out[1].dtype));
  });
}

}  // namespace
}  // namespace cpu

MXS_REGISTER_KERNELS(cpu, fused_fully_connected) {
  // Quantized nodes have no float activations but their (1,) ranges, which they write in the
  // planned dtype (quantized_common.h).
  r.Add("_sg_mkldnn_fully_connected", cpu::CreateFusedFullyConnected, Backend::kRowMajorOnly,
        Backend::kBf16Converting)
      .DTypes(dtypes::kQuantized);
}

}  // namespace mxserve
