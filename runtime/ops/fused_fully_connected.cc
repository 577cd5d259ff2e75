// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_fully_connected: attributes quantized, enable_float_output, with_eltwise (old name
// with_relu), min/max_calib_range and channel_wise_quantize, and a subgraph of FullyConnected
// [-> activation]. Inputs: data, weight, [bias], then for quantized nodes data_min, data_max and,
// unless channel-wise, weight_min, weight_max, [bias_min, bias_max] (weight and bias are int8);
// outputs: the result, and its min and max unless the output is float.
#include "ops/fused_fully_connected.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "graph/symbol_json.h"
#include "ops/fused_convolution.h"
#include "ops/registry.h"

namespace mxserve {

DType FusedFullyConnectedParam::OutputDType() const {
  if (!quantized || enable_float_output) return DType::kFloat32;
  if (!min_calib_range) return DType::kInt32;
  const bool unsigned_out = with_eltwise && ((eltwise.algorithm == "relu" && eltwise.alpha == 0.f) ||
                                             eltwise.algorithm == "logistic" ||
                                             eltwise.algorithm == "soft_relu" || eltwise.algorithm == "clip");
  return unsigned_out ? DType::kUint8 : DType::kInt8;
}

FusedFullyConnectedParam FusedFullyConnectedParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FusedFullyConnectedParam p;
  p.quantized = r.Bool("quantized", false);
  p.enable_float_output = r.Bool("enable_float_output", false);
  p.with_eltwise = r.Has("with_relu") ? r.Bool("with_relu", false) : r.Bool("with_eltwise", false);
  p.channel_wise = r.Bool("channel_wise_quantize", false);
  if (auto v = r.OptFloat("min_calib_range")) p.min_calib_range = static_cast<float>(*v);
  if (auto v = r.OptFloat("max_calib_range")) p.max_calib_range = static_cast<float>(*v);
  MXS_CHECK(p.min_calib_range.has_value() == p.max_calib_range.has_value())
      << "min_calib_range and max_calib_range must be given together";
  MXS_CHECK(r.Has(kSubgraphAttr)) << "the node has no subgraph";
  const Graph sub = ReadSymbolJson(r.String(kSubgraphAttr));
  r.Finish();
  bool seen_fc = false, seen_act = false;
  for (const Node& n : sub.nodes) {
    if (n.is_variable()) continue;
    if (n.op == "FullyConnected") {
      MXS_CHECK(!seen_fc) << "the subgraph holds more than one FullyConnected";
      p.fc = FullyConnectedParam::Parse(n.attrs);
      seen_fc = true;
    } else {
      MXS_CHECK(!seen_act) << "the subgraph holds more than one activation";
      p.eltwise = SubgraphActivation(n);
      seen_act = true;
    }
  }
  MXS_CHECK(seen_fc) << "the subgraph holds no FullyConnected";
  MXS_CHECK(seen_act == p.with_eltwise) << "with_eltwise does not match the subgraph";
  return p;
}

std::vector<int> FusedFullyConnectedParam::RangeInputs() const {
  std::vector<int> idx;
  for (int i = num_base_inputs(); i < num_inputs(); ++i) idx.push_back(i);
  return idx;
}

void FusedFullyConnectedParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  if (!quantized) return;
  MXS_CHECK(dtypes[0] == DType::kInt8 || dtypes[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(dtypes[0]);
  MXS_CHECK_CODE(enable_float_output || min_calib_range.has_value(), kUnsupported)
      << "a quantized FullyConnected without min_calib_range/max_calib_range or float output "
         "outputs int32 with ranges found at run time, which mxserve does not support";
  ranges.in = values;
  if (min_calib_range) ranges.out_min = *min_calib_range, ranges.out_max = *max_calib_range;
}

namespace {

void InferShapeFused(const FusedFullyConnectedParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  const int64_t k = p.fc.flatten ? ShapeProduct(data, 1, data.ndim()) : data[data.ndim() - 1];
  Shape w{p.fc.num_hidden, k};
  MXS_CHECK(!in[1].known() || in[1] == w) << "weight has shape " << in[1].ToString() << ", expected " << w.ToString();
  in[1] = w;
  if (!p.fc.no_bias) {
    Shape b{p.fc.num_hidden};
    MXS_CHECK(!in[2].known() || in[2] == b) << "bias has shape " << in[2].ToString() << ", expected " << b.ToString();
    in[2] = b;
  }
  if (p.fc.flatten) {
    out[0] = Shape{data[0], p.fc.num_hidden};
  } else {
    std::vector<int64_t> o = data.dims();
    o.back() = p.fc.num_hidden;
    out[0] = Shape(o);
  }
  for (int i = p.num_base_inputs(); i < p.num_inputs(); ++i) in[i] = Shape{1};
  for (size_t j = 1; j < out.size(); ++j) out[j] = Shape{1};
}

void InferTypeFused(const FusedFullyConnectedParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (p.quantized) {
    MXS_CHECK(in[0] == DType::kUnknown || in[0] == DType::kInt8 || in[0] == DType::kUint8)
        << "quantized data must be int8 or uint8, got " << DTypeName(in[0]);
    const DType wt = p.channel_wise ? DType::kFloat32 : DType::kInt8;
    for (int i = 1; i < p.num_base_inputs(); ++i) {
      MXS_CHECK(in[i] == DType::kUnknown || in[i] == wt)
          << "input " << i << " must be " << DTypeName(wt) << ", got " << DTypeName(in[i]);
      in[i] = wt;
    }
  } else {
    if (in[0] == DType::kUnknown) in[0] = DType::kFloat32;
    for (int i = 0; i < p.num_base_inputs(); ++i) {
      MXS_CHECK(in[i] == DType::kUnknown || in[i] == DType::kFloat32)
          << "input " << i << " must be float32, got " << DTypeName(in[i]);
      in[i] = DType::kFloat32;
    }
  }
  for (int i = p.num_base_inputs(); i < p.num_inputs(); ++i) in[i] = DType::kFloat32;
  out[0] = p.OutputDType();
  for (size_t j = 1; j < out.size(); ++j) out[j] = DType::kFloat32;
}

}  // namespace

MXS_REGISTER_OPS(fused_fully_connected) {
  r.Add("_sg_mkldnn_fully_connected")
      .Param<FusedFullyConnectedParam>()
      .NumInputs<FusedFullyConnectedParam>([](const FusedFullyConnectedParam& p) { return p.num_inputs(); })
      .NumOutputs<FusedFullyConnectedParam>([](const FusedFullyConnectedParam& p) { return p.num_outputs(); })
      .InputNames<FusedFullyConnectedParam>([](const FusedFullyConnectedParam& p) {
        std::vector<std::string> names{"data", "weight"};
        if (!p.fc.no_bias) names.push_back("bias");
        if (p.quantized) names.insert(names.end(), {"data_min", "data_max"});
        if (p.quantized && !p.channel_wise) {
          names.insert(names.end(), {"weight_min", "weight_max"});
          if (!p.fc.no_bias) names.insert(names.end(), {"bias_min", "bias_max"});
        }
        return names;
      })
      .InferShape(InferShapeFused)
      .InferType(InferTypeFused);
  RegisterQuantizedOp("_sg_mkldnn_fully_connected", MakeQuantizedOpInfo<FusedFullyConnectedParam>());
}

}  // namespace mxserve
