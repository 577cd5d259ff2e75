// SPDX-License-Identifier: Apache-2.0
// _sg_mkldnn_fully_connected: attributes quantized, enable_float_output, with_eltwise (old name
// with_relu), min/max_calib_range and channel_wise_quantize, and a subgraph of FullyConnected
// [-> activation]; passes/fuse_fully_connected.cc builds the same param from a FullyConnected
// (FusedFullyConnectedParam::Of).
#include "ops/fused_fully_connected.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/fused_convolution.h"
#include "ops/registry.h"

namespace mxserve {

FusedFullyConnectedParam FusedFullyConnectedParam::Of(const FullyConnectedParam& fc) {
  FusedFullyConnectedParam p;
  p.fc = fc;
  return p;
}

DType FusedFullyConnectedParam::OutputDType() const {
  if (!quantized || enable_float_output) return DType::kFloat32;
  if (!calib.known()) return DType::kInt32;
  return !post_ops.empty() && IsNonNegativeEltwise(post_ops.back()) ? DType::kUint8 : DType::kInt8;
}

FusedFullyConnectedParam FusedFullyConnectedParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FusedFullyConnectedParam p;
  p.quantized = r.Bool("quantized", false);
  p.enable_float_output = r.Bool("enable_float_output", false);
  const bool with_eltwise = r.Has("with_relu") ? r.Bool("with_relu", false) : r.Bool("with_eltwise", false);
  p.channel_wise = r.Bool("channel_wise_quantize", false);
  p.calib = CalibRange::Parse(r);
  const Graph sub = ReadSubgraph(r);
  r.Finish();
  bool seen_fc = false;
  for (const Node& n : sub.nodes) {
    if (n.is_variable()) continue;
    if (n.op == "FullyConnected") {
      MXS_CHECK(!seen_fc) << "the subgraph holds more than one FullyConnected";
      p.fc = FullyConnectedParam::Parse(n.attrs);
      seen_fc = true;
    } else {
      MXS_CHECK(p.post_ops.empty()) << "the subgraph holds more than one activation";
      p.post_ops.push_back(SubgraphActivation(n));
    }
  }
  MXS_CHECK(seen_fc) << "the subgraph holds no FullyConnected";
  MXS_CHECK(p.post_ops.empty() != with_eltwise) << "with_eltwise does not match the subgraph";
  return p;
}

void FusedFullyConnectedParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  if (!quantized) return;
  MXS_CHECK(dtypes[0] == DType::kInt8 || dtypes[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(dtypes[0]);
  MXS_CHECK_CODE(enable_float_output || calib.known(), kUnsupported)
      << "a quantized FullyConnected without min_calib_range/max_calib_range or float output "
         "outputs int32 with ranges found at run time, which mxserve does not support";
  ranges.in = values;
  if (calib.known()) ranges.out_min = *calib.min, ranges.out_max = *calib.max;
}

namespace {

void InferShapeFused(const FusedFullyConnectedParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const int nb = p.num_base_inputs();
  std::vector<Shape> fc_in(in.begin(), in.begin() + nb);
  std::vector<Shape> fc_out(1);
  InferFullyConnectedShape(p.fc, fc_in, fc_out);
  for (int i = 0; i < nb; ++i) in[i] = fc_in[i];
  out[0] = fc_out[0];
  for (int i = nb; i < p.num_inputs(); ++i) in[i] = Shape{1};
  for (size_t j = 1; j < out.size(); ++j) out[j] = Shape{1};
}

void InferTypeFused(const FusedFullyConnectedParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (!p.quantized) {
    // As FullyConnected: every input and the output share one float dtype.
    InferTypeSame(in, out);
    return;
  }
  MXS_CHECK(in[0] == DType::kUnknown || in[0] == DType::kInt8 || in[0] == DType::kUint8)
      << "quantized data must be int8 or uint8, got " << DTypeName(in[0]);
  const DType wt = p.channel_wise ? DType::kFloat32 : DType::kInt8;
  for (int i = 1; i < p.num_base_inputs(); ++i) {
    MXS_CHECK(in[i] == DType::kUnknown || in[i] == wt)
        << "input " << i << " must be " << DTypeName(wt) << ", got " << DTypeName(in[i]);
    in[i] = wt;
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
