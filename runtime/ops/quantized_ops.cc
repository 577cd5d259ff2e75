// SPDX-License-Identifier: Apache-2.0
// _contrib_quantized_pooling, _contrib_quantized_flatten and _contrib_quantized_concat: shapes
// come from the float operators' own rules, dtypes and ranges from MXNet's quantized forms.
#include "ops/quantized_ops.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

void CheckQuantized(DType t, const char* what) {
  MXS_CHECK(t == DType::kUnknown || t == DType::kInt8 || t == DType::kUint8)
      << what << " must be int8 or uint8, got " << DTypeName(t);
}

void PassRange(QuantRanges& r, const std::vector<float>& values) {
  r.in = values;
  r.out_min = values[0];
  r.out_max = values[1];
}

}  // namespace

QuantizedPoolingParam QuantizedPoolingParam::Parse(const AttrMap& attrs) {
  QuantizedPoolingParam p;
  p.pool = PoolingParam::Parse(attrs);
  MXS_CHECK_CODE(p.pool.pool_type == "max" || p.pool.pool_type == "avg", kUnsupported)
      << "quantized pooling supports max and avg, got " << p.pool.pool_type;
  return p;
}

void QuantizedPoolingParam::Resolve(const std::vector<float>& values, const std::vector<DType>&) {
  PassRange(ranges, values);
}

QuantizedFlattenParam QuantizedFlattenParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return QuantizedFlattenParam{};
}

void QuantizedFlattenParam::Resolve(const std::vector<float>& values, const std::vector<DType>&) {
  PassRange(ranges, values);
}

QuantizedConcatParam QuantizedConcatParam::Parse(const AttrMap& attrs) {
  QuantizedConcatParam p;
  p.concat = ConcatParam::Parse(attrs);
  MXS_CHECK_CODE(!p.concat.flatten, kUnsupported) << "quantized concat needs an axis (dim)";
  return p;
}

std::vector<int> QuantizedConcatParam::RangeInputs() const {
  std::vector<int> idx;
  for (int i = concat.num_args; i < 3 * concat.num_args; ++i) idx.push_back(i);
  return idx;
}

void QuantizedConcatParam::Resolve(const std::vector<float>& values, const std::vector<DType>&) {
  ranges.in = values;
  ranges.out_min = 0.f;
  ranges.out_max = 0.f;
  for (int i = 0; i < concat.num_args; ++i) {
    ranges.out_min = std::min(ranges.out_min, values[2 * i]);
    ranges.out_max = std::max(ranges.out_max, values[2 * i + 1]);
  }
}

namespace {

void RangeShapes(std::vector<Shape>& in, std::vector<Shape>& out, size_t first) {
  for (size_t i = first; i < in.size(); ++i) {
    MXS_CHECK(!in[i].known() || in[i].Size() == 1)
        << "range input " << i << " must hold one value, got shape " << in[i].ToString();
    in[i] = Shape{1};
  }
  out[1] = out[2] = Shape{1};
}

void RangeTypes(std::vector<DType>& in, std::vector<DType>& out, size_t first) {
  for (size_t i = first; i < in.size(); ++i) {
    MXS_CHECK(in[i] == DType::kUnknown || in[i] == DType::kFloat32)
        << "range input " << i << " must be float32, got " << DTypeName(in[i]);
    in[i] = DType::kFloat32;
  }
  out[1] = out[2] = DType::kFloat32;
}

void InferShapePooling(const QuantizedPoolingParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  std::vector<Shape> pin{in[0]}, pout(1);
  OpRegistry::Global().Find("Pooling")->InferShape(&p.pool, pin, pout);
  MXS_CHECK(pin[0].ndim() == 4) << "quantized pooling needs 4-D data, got " << pin[0].ToString();
  in[0] = pin[0];
  out[0] = pout[0];
  RangeShapes(in, out, 1);
}

template <typename P>
void InferTypePassThrough(const P&, std::vector<DType>& in, std::vector<DType>& out) {
  CheckQuantized(in[0], "data");
  out[0] = in[0];
  RangeTypes(in, out, 1);
}

void InferShapeFlatten(const QuantizedFlattenParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[0].ndim() >= 1) << "data shape is unknown or a scalar";
  out[0] = Shape{in[0][0], ShapeProduct(in[0], 1, in[0].ndim())};
  RangeShapes(in, out, 1);
}

void InferShapeConcat(const QuantizedConcatParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const int n = p.concat.num_args;
  std::vector<Shape> cin(in.begin(), in.begin() + n), cout(1);
  OpRegistry::Global().Find("Concat")->InferShape(&p.concat, cin, cout);
  for (int i = 0; i < n; ++i) in[i] = cin[i];
  out[0] = cout[0];
  RangeShapes(in, out, n);
}

void InferTypeConcat(const QuantizedConcatParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  // MXNet: int8 when any input is int8, else uint8.
  DType t = DType::kUint8;
  for (int i = 0; i < p.concat.num_args; ++i) {
    CheckQuantized(in[i], "data");
    if (in[i] == DType::kInt8) t = DType::kInt8;
    if (in[i] == DType::kUnknown) in[i] = DType::kUint8;
  }
  out[0] = t;
  RangeTypes(in, out, p.concat.num_args);
}

}  // namespace

MXS_REGISTER_OPS(quantized_ops) {
  r.Add("_contrib_quantized_pooling")
      .Param<QuantizedPoolingParam>()
      .NumInputs(3)
      .NumOutputs(3)
      .InputNames({"data", "min_data", "max_data"})
      .InferShape(InferShapePooling)
      .InferType(InferTypePassThrough<QuantizedPoolingParam>);
  RegisterQuantizedOp("_contrib_quantized_pooling", MakeQuantizedOpInfo<QuantizedPoolingParam>());
  r.Add("_contrib_quantized_flatten")
      .Param<QuantizedFlattenParam>()
      .NumInputs(3)
      .NumOutputs(3)
      .InputNames({"data", "min_data", "max_data"})
      .InferShape(InferShapeFlatten)
      .InferType(InferTypePassThrough<QuantizedFlattenParam>);
  RegisterQuantizedOp("_contrib_quantized_flatten", MakeQuantizedOpInfo<QuantizedFlattenParam>());
  r.Add("_contrib_quantized_concat")
      .Param<QuantizedConcatParam>()
      .NumInputs<QuantizedConcatParam>([](const QuantizedConcatParam& p) { return 3 * p.concat.num_args; })
      .NumOutputs(3)
      .InputNames<QuantizedConcatParam>([](const QuantizedConcatParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.concat.num_args; ++i) names.push_back("arg" + std::to_string(i));
        for (int i = 0; i < p.concat.num_args; ++i) {
          names.push_back("arg" + std::to_string(i) + "_min");
          names.push_back("arg" + std::to_string(i) + "_max");
        }
        return names;
      })
      .InferShape(InferShapeConcat)
      .InferType(InferTypeConcat);
  RegisterQuantizedOp("_contrib_quantized_concat", MakeQuantizedOpInfo<QuantizedConcatParam>());
}

}  // namespace mxserve
