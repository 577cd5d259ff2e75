// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_conv: attributes with_bn, with_act, with_sum, with_postsum_act, quantized and
// min/max_calib_range (with_relu and with_postsum_relu are their old names), and a subgraph of
// Convolution [-> BatchNorm] [-> activation] [-> elemwise_add] [-> activation]; the fusion
// passes build the same param from a Convolution (FusedConvolutionParam::Of).
#include "ops/fused_convolution.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "graph/symbol_json.h"
#include "ops/registry.h"

namespace mxserve {

ConvPostOp SubgraphActivation(const Node& node) {
  std::optional<ConvPostOp> op = EltwisePostOp(node.op, node.attrs);
  MXS_CHECK_CODE(op.has_value(), kUnsupported)
      << "fused operator '" << node.op << "' is not supported (Activation relu, sigmoid, tanh, "
         "softrelu, mish; LeakyReLU leaky, elu, gelu; clip)";
  return *op;
}

Graph ReadSubgraph(AttrReader& r) {
  MXS_CHECK(r.Has(kSubgraphAttr)) << "the node has no subgraph";
  return ReadSymbolJson(r.String(kSubgraphAttr));
}

FusedConvolutionParam FusedConvolutionParam::Of(const ConvolutionParam& conv) {
  FusedConvolutionParam p;
  p.conv = conv;
  return p;
}

bool FusedConvolutionParam::has_sum() const {
  for (const auto& op : post_ops)
    if (op.kind == ConvPostOp::Kind::kSum) return true;
  return false;
}

bool FusedConvolutionParam::OutputIsUnsigned() const {
  return !post_ops.empty() && IsNonNegativeEltwise(post_ops.back());
}

DType FusedConvolutionParam::OutputDType() const {
  if (!quantized) return DType::kFloat32;
  if (!calib.known()) return DType::kInt32;
  return OutputIsUnsigned() ? DType::kUint8 : DType::kInt8;
}

FusedConvolutionParam FusedConvolutionParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FusedConvolutionParam p;
  p.with_bn = r.Bool("with_bn", false);
  const bool with_act = r.Has("with_relu") ? r.Bool("with_relu", false) : r.Bool("with_act", false);
  const bool with_sum = r.Bool("with_sum", false);
  const bool with_postsum_act =
      r.Has("with_postsum_relu") ? r.Bool("with_postsum_relu", false) : r.Bool("with_postsum_act", false);
  p.quantized = r.Bool("quantized", false);
  p.calib = CalibRange::Parse(r);
  const Graph sub = ReadSubgraph(r);
  r.Finish();
  bool seen_conv = false, seen_bn = false, seen_sum = false;
  int acts = 0, postsum_acts = 0;
  // Subgraph nodes are in topological order: an activation before the sum is `act`, one after
  // it `postsum_act`.
  for (const Node& n : sub.nodes) {
    if (n.is_variable()) continue;
    if (n.op == "Convolution") {
      MXS_CHECK(!seen_conv) << "the subgraph holds more than one Convolution";
      p.conv = ConvolutionParam::Parse(n.attrs);
      seen_conv = true;
    } else if (n.op == "BatchNorm") {
      p.bn = BatchNormParam::Parse(n.attrs);
      MXS_CHECK_CODE(p.bn.axis == 1, kUnsupported) << "a fused BatchNorm must normalise axis 1";
      seen_bn = true;
    } else if (n.op == "elemwise_add" || n.op == "_Plus" || n.op == "_plus" || n.op == "broadcast_add") {
      MXS_CHECK(!seen_sum) << "the subgraph holds more than one addition";
      ConvPostOp sum;
      sum.kind = ConvPostOp::Kind::kSum;
      p.post_ops.push_back(sum);
      seen_sum = true;
    } else {
      p.post_ops.push_back(SubgraphActivation(n));
      ++(seen_sum ? postsum_acts : acts);
    }
  }
  MXS_CHECK(seen_conv) << "the subgraph holds no Convolution";
  MXS_CHECK(seen_bn == p.with_bn) << "with_bn does not match the subgraph";
  MXS_CHECK(seen_sum == with_sum) << "with_sum does not match the subgraph";
  MXS_CHECK(acts == (with_act ? 1 : 0)) << "with_act does not match the subgraph";
  MXS_CHECK(postsum_acts == (with_postsum_act ? 1 : 0))
      << "with_postsum_act does not match the subgraph";
  MXS_CHECK_CODE(p.conv.kernel.size() == 2, kUnsupported) << "only 2-D fused convolutions are supported";
  return p;
}

void FusedConvolutionParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  if (!quantized) return;
  MXS_CHECK_CODE(calib.known(), kUnsupported)
      << "a quantized convolution without min_calib_range/max_calib_range (calib_mode='none') "
         "outputs int32 with ranges found at run time, which mxserve does not support; quantize "
         "the model with calib_mode 'naive' or 'entropy'";
  MXS_CHECK(dtypes[0] == DType::kInt8 || dtypes[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(dtypes[0]);
  MXS_CHECK(values[0] >= 0.f || dtypes[0] == DType::kInt8)
      << "data with a negative minimum must be int8, got uint8";
  ranges.in = values;
  ranges.out_min = *calib.min;
  ranges.out_max = *calib.max;
}

namespace {

void InferShapeFused(const FusedConvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const int nb = p.conv.no_bias ? 2 : 3;
  std::vector<Shape> conv_in(in.begin(), in.begin() + nb);
  std::vector<Shape> conv_out(1);
  InferConvolutionShape(p.conv, conv_in, conv_out);
  for (int i = 0; i < nb; ++i) in[i] = conv_in[i];
  std::vector<int64_t> o = conv_out[0].dims();
  const Shape channels{p.conv.num_filter};
  if (p.with_bn) {
    for (int k = 0; k < 4; ++k) {
      Shape& s = in[p.bn_input() + k];
      MXS_CHECK(!s.known() || s == channels)
          << "BatchNorm input " << k << " has shape " << s.ToString() << ", expected " << channels.ToString();
      s = channels;
    }
  }
  if (p.depthwise) {
    // The depthwise stage (passes/fuse_depthwise.cc) runs on the 2-D output above.
    const DepthwiseStage& dw = *p.depthwise;
    const int wi = p.dw_weight_input();
    const Shape dw_w{p.conv.num_filter, 1, dw.kernel, dw.kernel};
    MXS_CHECK(o.size() == 4 && (!in[wi].known() || in[wi] == dw_w))
        << "depthwise weight has shape " << in[wi].ToString() << ", expected " << dw_w.ToString();
    in[wi] = dw_w;
    if (!dw.no_bias) {
      MXS_CHECK(!in[wi + 1].known() || in[wi + 1] == channels)
          << "depthwise bias has shape " << in[wi + 1].ToString() << ", expected " << channels.ToString();
      in[wi + 1] = channels;
    }
    for (size_t i = 2; i < o.size(); ++i) {
      const int64_t padded = o[i] + 2 * dw.pad;
      MXS_CHECK(padded >= dw.kernel) << "depthwise kernel " << dw.kernel << " exceeds padded size " << padded;
      o[i] = (padded - dw.kernel) / dw.stride + 1;
    }
  }
  out[0] = Shape(o);
  if (p.has_sum()) {
    Shape& s = in[p.sum_input()];
    MXS_CHECK(!s.known() || s == out[0])
        << "sum input has shape " << s.ToString() << ", output is " << out[0].ToString();
    s = out[0];
  }
  for (int i = p.num_base_inputs(); i < p.num_inputs(); ++i) in[i] = Shape{1};
  for (size_t k = 1; k < out.size(); ++k) out[k] = Shape{1};
}

void InferTypeFused(const FusedConvolutionParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (!p.quantized) {
    // As Convolution: every input and the output share one float dtype.
    InferTypeSame(in, out);
    return;
  }
  MXS_CHECK(in[0] == DType::kUnknown || in[0] == DType::kInt8 || in[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(in[0]);
  const int sum = p.has_sum() ? p.sum_input() : -1;
  if (sum >= 0) {
    MXS_CHECK(in[sum] == DType::kUnknown || in[sum] == DType::kInt8 || in[sum] == DType::kUint8)
        << "quantized sum input must be int8 or uint8, got " << DTypeName(in[sum]);
  }
  for (int i = 1; i < p.num_base_inputs(); ++i) {
    if (i == sum) continue;
    MXS_CHECK(in[i] == DType::kUnknown || in[i] == DType::kFloat32)
        << "input " << i << " must be float32, got " << DTypeName(in[i]);
    in[i] = DType::kFloat32;
  }
  for (int i = p.num_base_inputs(); i < p.num_inputs(); ++i) in[i] = DType::kFloat32;
  out[0] = p.OutputDType();
  for (size_t k = 1; k < out.size(); ++k) out[k] = DType::kFloat32;
}

}  // namespace

MXS_REGISTER_OPS(fused_convolution) {
  r.Add("_sg_mkldnn_conv")
      .Param<FusedConvolutionParam>()
      .NumInputs<FusedConvolutionParam>([](const FusedConvolutionParam& p) { return p.num_inputs(); })
      .NumOutputs<FusedConvolutionParam>([](const FusedConvolutionParam& p) { return p.num_outputs(); })
      .InputNames<FusedConvolutionParam>([](const FusedConvolutionParam& p) {
        std::vector<std::string> names{"data", "weight"};
        if (!p.conv.no_bias) names.push_back("bias");
        if (p.with_bn) names.insert(names.end(), {"gamma", "beta", "mean", "var"});
        if (p.depthwise) names.push_back("dw_weight");
        if (p.depthwise && !p.depthwise->no_bias) names.push_back("dw_bias");
        if (p.has_sum()) names.push_back("sum");
        if (p.quantized) names.insert(names.end(), {"data_min", "data_max"});
        if (p.quantized && p.has_sum()) names.insert(names.end(), {"sum_min", "sum_max"});
        return names;
      })
      // The residual is accumulated into the output buffer, so share it when possible.
      .Inplace<FusedConvolutionParam>([](const FusedConvolutionParam& p) {
        return p.has_sum() ? std::vector<std::pair<int, int>>{{p.sum_input(), 0}}
                           : std::vector<std::pair<int, int>>{};
      })
      .InferShape(InferShapeFused)
      .InferType(InferTypeFused);
  RegisterQuantizedOp("_sg_mkldnn_conv", MakeQuantizedOpInfo<FusedConvolutionParam>());
}

}  // namespace mxserve
