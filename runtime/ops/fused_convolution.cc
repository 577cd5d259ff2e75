// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_conv: attributes with_bn, with_act, with_sum, with_postsum_act, quantized and
// min/max_calib_range (with_relu and with_postsum_relu are their old names), and a subgraph of
// Convolution [-> BatchNorm] [-> activation] [-> elemwise_add] [-> activation]. Inputs: data,
// weight, [bias], [gamma, beta, mean, var], [sum], then for quantized nodes data_min, data_max,
// [sum_min, sum_max]; outputs: the result, and its min and max when quantized.
#include "ops/fused_convolution.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "graph/symbol_json.h"
#include "ops/activation.h"
#include "ops/clip.h"
#include "ops/leaky_relu.h"
#include "ops/registry.h"

namespace mxserve {

ConvPostOp SubgraphActivation(const Node& node) {
  ConvPostOp op;
  if (node.op == "Activation") {
    const std::string t = ActivationParam::Parse(node.attrs).act_type;
    MXS_CHECK_CODE(t == "relu" || t == "sigmoid" || t == "tanh" || t == "softrelu", kUnsupported)
        << "fused activation '" << t << "' is not supported (relu, sigmoid, tanh, softrelu)";
    op.algorithm = t == "relu" ? "relu" : t == "sigmoid" ? "logistic" : t == "tanh" ? "tanh" : "soft_relu";
  } else if (node.op == "LeakyReLU") {
    LeakyReLUParam p = LeakyReLUParam::Parse(node.attrs);
    MXS_CHECK_CODE(p.act_type == "leaky", kUnsupported)
        << "fused LeakyReLU '" << p.act_type << "' is not supported (leaky only)";
    op.algorithm = "relu";
    op.alpha = p.slope;
  } else if (node.op == "clip") {
    // MKLDNN's bounded_relu: min(max(x, 0), a_max); MXNet fuses clip only with a_min 0.
    ClipParam p = ClipParam::Parse(node.attrs);
    op.algorithm = "clip";
    op.alpha = 0.f;
    op.beta = p.a_max;
  } else {
    MXS_THROW(kUnsupported) << "fused operator '" << node.op << "' is not supported";
  }
  return op;
}

bool FusedConvolutionParam::OutputIsUnsigned() const {
  auto unsigned_act = [](const ConvPostOp& a) {
    return (a.algorithm == "relu" && a.alpha == 0.f) || a.algorithm == "logistic" ||
           a.algorithm == "soft_relu" || a.algorithm == "clip";
  };
  if (!with_sum && with_act) return unsigned_act(act);
  if (with_postsum_act) return unsigned_act(postsum_act);
  return false;
}

DType FusedConvolutionParam::OutputDType() const {
  if (!quantized) return DType::kFloat32;
  if (!min_calib_range) return DType::kInt32;
  return OutputIsUnsigned() ? DType::kUint8 : DType::kInt8;
}

FusedConvolutionParam FusedConvolutionParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FusedConvolutionParam p;
  p.with_bn = r.Bool("with_bn", false);
  p.with_act = r.Has("with_relu") ? r.Bool("with_relu", false) : r.Bool("with_act", false);
  p.with_sum = r.Bool("with_sum", false);
  p.with_postsum_act =
      r.Has("with_postsum_relu") ? r.Bool("with_postsum_relu", false) : r.Bool("with_postsum_act", false);
  p.quantized = r.Bool("quantized", false);
  if (auto v = r.OptFloat("min_calib_range")) p.min_calib_range = static_cast<float>(*v);
  if (auto v = r.OptFloat("max_calib_range")) p.max_calib_range = static_cast<float>(*v);
  MXS_CHECK(p.min_calib_range.has_value() == p.max_calib_range.has_value())
      << "min_calib_range and max_calib_range must be given together";
  MXS_CHECK(r.Has(kSubgraphAttr)) << "the node has no subgraph";
  const Graph sub = ReadSymbolJson(r.String(kSubgraphAttr));
  r.Finish();
  bool seen_conv = false, seen_bn = false, seen_sum = false, seen_act = false, seen_post = false;
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
      seen_sum = true;
    } else {
      ConvPostOp a = SubgraphActivation(n);
      if (p.with_act && !seen_act) {
        p.act = a;
        seen_act = true;
      } else {
        p.postsum_act = a;
        seen_post = true;
      }
    }
  }
  MXS_CHECK(seen_conv) << "the subgraph holds no Convolution";
  MXS_CHECK(seen_bn == p.with_bn) << "with_bn does not match the subgraph";
  MXS_CHECK(seen_sum == p.with_sum) << "with_sum does not match the subgraph";
  MXS_CHECK(seen_act == p.with_act) << "with_act does not match the subgraph";
  MXS_CHECK(seen_post == p.with_postsum_act) << "with_postsum_act does not match the subgraph";
  MXS_CHECK_CODE(p.conv.kernel.size() == 2, kUnsupported) << "only 2-D fused convolutions are supported";
  return p;
}

std::vector<int> FusedConvolutionParam::RangeInputs() const {
  std::vector<int> idx;
  for (int i = num_base_inputs(); i < num_inputs(); ++i) idx.push_back(i);
  return idx;
}

void FusedConvolutionParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  if (!quantized) return;
  MXS_CHECK_CODE(min_calib_range.has_value(), kUnsupported)
      << "a quantized convolution without min_calib_range/max_calib_range (calib_mode='none') "
         "outputs int32 with ranges found at run time, which mxserve does not support; quantize "
         "the model with calib_mode 'naive' or 'entropy'";
  MXS_CHECK(dtypes[0] == DType::kInt8 || dtypes[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(dtypes[0]);
  MXS_CHECK(values[0] >= 0.f || dtypes[0] == DType::kInt8)
      << "data with a negative minimum must be int8, got uint8";
  ranges.in = values;
  ranges.out_min = *min_calib_range;
  ranges.out_max = *max_calib_range;
}

namespace {

void InferShapeFused(const FusedConvolutionParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const int nb = p.conv.no_bias ? 2 : 3;
  std::vector<Shape> conv_in(in.begin(), in.begin() + nb);
  std::vector<Shape> conv_out(1);
  InferConvolutionShape(p.conv, conv_in, conv_out);
  for (int i = 0; i < nb; ++i) in[i] = conv_in[i];
  Shape channels{p.conv.num_filter};
  if (p.with_bn) {
    for (int k = 0; k < 4; ++k) {
      Shape& s = in[p.bn_input() + k];
      MXS_CHECK(!s.known() || s == channels)
          << "BatchNorm input " << k << " has shape " << s.ToString() << ", expected " << channels.ToString();
      s = channels;
    }
  }
  out[0] = conv_out[0];
  if (p.with_sum) {
    Shape& s = in[p.sum_input()];
    MXS_CHECK(!s.known() || s == out[0])
        << "sum input has shape " << s.ToString() << ", output is " << out[0].ToString();
    s = out[0];
  }
  for (int i = p.num_base_inputs(); i < p.num_inputs(); ++i) in[i] = Shape{1};
  for (size_t k = 1; k < out.size(); ++k) out[k] = Shape{1};
}

void InferTypeFused(const FusedConvolutionParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (p.quantized) {
    MXS_CHECK(in[0] == DType::kUnknown || in[0] == DType::kInt8 || in[0] == DType::kUint8)
        << "quantized data must be int8 or uint8, got " << DTypeName(in[0]);
    if (p.with_sum)
      MXS_CHECK(in[p.sum_input()] == DType::kUnknown || in[p.sum_input()] == DType::kInt8 ||
                in[p.sum_input()] == DType::kUint8)
          << "quantized sum input must be int8 or uint8, got " << DTypeName(in[p.sum_input()]);
  } else {
    if (in[0] == DType::kUnknown) in[0] = DType::kFloat32;
    MXS_CHECK(in[0] == DType::kFloat32) << "data must be float32, got " << DTypeName(in[0]);
    if (p.with_sum) in[p.sum_input()] = DType::kFloat32;
  }
  for (int i = 1; i < p.num_base_inputs(); ++i) {
    if (p.with_sum && i == p.sum_input()) continue;
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
      .NumOutputs<FusedConvolutionParam>([](const FusedConvolutionParam& p) { return p.quantized ? 3 : 1; })
      .InputNames<FusedConvolutionParam>([](const FusedConvolutionParam& p) {
        std::vector<std::string> names{"data", "weight"};
        if (!p.conv.no_bias) names.push_back("bias");
        if (p.with_bn) names.insert(names.end(), {"gamma", "beta", "mean", "var"});
        if (p.with_sum) names.push_back("sum");
        if (p.quantized) names.insert(names.end(), {"data_min", "data_max"});
        if (p.quantized && p.with_sum) names.insert(names.end(), {"sum_min", "sum_max"});
        return names;
      })
      // The residual is accumulated into the output buffer, so share it when possible.
      .Inplace<FusedConvolutionParam>([](const FusedConvolutionParam& p) {
        return p.with_sum ? std::vector<std::pair<int, int>>{{p.sum_input(), 0}}
                          : std::vector<std::pair<int, int>>{};
      })
      .InferShape(InferShapeFused)
      .InferType(InferTypeFused);
  RegisterQuantizedOp("_sg_mkldnn_conv", MakeQuantizedOpInfo<FusedConvolutionParam>());
}

}  // namespace mxserve
