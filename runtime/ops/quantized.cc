// SPDX-License-Identifier: Apache-2.0
// _contrib_quantize_v2, _contrib_dequantize and _contrib_requantize, with MXNet 1.9.1's MKLDNN
// semantics: quantize scales by 127.5 (int8) or 255.5 (uint8) over max|range|, dequantize
// divides by the same, requantize maps int32 through 2^31-1 to 127 (int8) or 255 (uint8). The
// registry of quantized operators and the calibrated-range attributes every quantized operator
// shares (ops/quantization.h) live here too.
#include "ops/quantized.h"

#include <map>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

float QuantizedExtent(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return 127.f;
    case DType::kUint8: return 0.f;
    case DType::kInt32: return static_cast<float>(std::numeric_limits<int32_t>::max());
    default: MXS_THROW(kInternal) << "no quantized extent for " << DTypeName(dtype);
  }
}

CalibRange CalibRange::Parse(AttrReader& r) {
  CalibRange c;
  if (auto v = r.OptFloat("min_calib_range")) c.min = static_cast<float>(*v);
  if (auto v = r.OptFloat("max_calib_range")) c.max = static_cast<float>(*v);
  MXS_CHECK(c.min.has_value() == c.max.has_value())
      << "min_calib_range and max_calib_range must be given together";
  MXS_CHECK(!c.min || *c.min <= *c.max)
      << "min_calib_range " << *c.min << " exceeds max_calib_range " << *c.max;
  return c;
}

std::vector<int> InputRange(int first, int last) {
  std::vector<int> idx;
  for (int i = first; i < last; ++i) idx.push_back(i);
  return idx;
}

namespace {

std::map<std::string, QuantizedOpInfo>& QuantizedOps() {
  static std::map<std::string, QuantizedOpInfo> ops;
  return ops;
}

}  // namespace

const QuantizedOpInfo* FindQuantizedOp(const std::string& op) {
  auto it = QuantizedOps().find(op);
  return it == QuantizedOps().end() ? nullptr : &it->second;
}

void RegisterQuantizedOp(const std::string& op, QuantizedOpInfo info) { QuantizedOps()[op] = info; }

namespace {

QuantOutType ParseOutType(AttrReader& r) {
  const std::string t = r.Enum("out_type", "int8", {"auto", "int8", "uint8"});
  return t == "auto" ? QuantOutType::kAuto : t == "int8" ? QuantOutType::kInt8 : QuantOutType::kUint8;
}

// MXNet's GetQuantizeOutputType.
DType OutTypeOf(QuantOutType t, const CalibRange& calib) {
  if (t == QuantOutType::kUint8) return DType::kUint8;
  if (t == QuantOutType::kAuto && calib.known() && *calib.min >= 0.f) return DType::kUint8;
  return DType::kInt8;
}

// quantize_v2 and requantize have the same attributes: out_type and the calibrated range.
template <typename P>
P ParseCalibrated(const AttrMap& attrs) {
  AttrReader r(attrs);
  P p;
  p.out_type = ParseOutType(r);
  p.calib = CalibRange::Parse(r);
  r.Finish();
  return p;
}

constexpr const char* kNeedsCalibration =
    "without min_calib_range/max_calib_range (calib_mode='none') takes the range from each batch "
    "at run time, which mxserve does not support; quantize the model with calib_mode 'naive' or "
    "'entropy'";

}  // namespace

QuantizeV2Param QuantizeV2Param::Parse(const AttrMap& attrs) {
  return ParseCalibrated<QuantizeV2Param>(attrs);
}

DType QuantizeV2Param::OutputDType(DType in) const {
  if (in == DType::kInt8 || in == DType::kUint8) return in;
  return OutTypeOf(out_type, calib);
}

void QuantizeV2Param::Resolve(const std::vector<float>&, const std::vector<DType>& dtypes) {
  const DType in = dtypes[0];
  if (in == DType::kInt8 || in == DType::kUint8) {
    // Already quantized data passes through with the calibrated or the full range.
    if (calib.known()) {
      ranges.out_min = *calib.min, ranges.out_max = *calib.max;
    } else if (in == DType::kUint8) {
      ranges.out_min = 0.f, ranges.out_max = kUint8Range;
    } else {
      ranges.out_min = -kInt8Range, ranges.out_max = kInt8Range;
    }
    return;
  }
  MXS_CHECK_CODE(calib.known(), kUnsupported) << "quantizing " << kNeedsCalibration;
  if (OutputDType(in) == DType::kUint8) {
    ranges.out_min = *calib.min, ranges.out_max = *calib.max;
  } else {
    const float r = MaxAbs(*calib.min, *calib.max);
    ranges.out_min = -r, ranges.out_max = r;
  }
}

DequantizeParam DequantizeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Enum("out_type", "float32", {"float32"});
  r.Finish();
  return DequantizeParam{};
}

void DequantizeParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  MXS_CHECK_CODE(dtypes[0] == DType::kInt8 || dtypes[0] == DType::kUint8, kUnsupported)
      << "dequantize of " << DTypeName(dtypes[0]) << " data is not supported (int8 or uint8 only)";
  ranges.in = values;
}

RequantizeParam RequantizeParam::Parse(const AttrMap& attrs) {
  return ParseCalibrated<RequantizeParam>(attrs);
}

DType RequantizeParam::OutputDType() const { return OutTypeOf(out_type, calib); }

void RequantizeParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  MXS_CHECK_CODE(dtypes[0] == DType::kInt32, kUnsupported)
      << "requantize needs int32 data, got " << DTypeName(dtypes[0]);
  MXS_CHECK_CODE(calib.known(), kUnsupported) << "requantize " << kNeedsCalibration;
  ranges.in = values;
  const float r = MaxAbs(*calib.min, *calib.max);
  ranges.out_min = OutputDType() == DType::kInt8 ? -r : 0.f;
  ranges.out_max = r;
}

namespace {

void RangeShapes(std::vector<Shape>& in, std::vector<Shape>& out, size_t first_range_input) {
  for (size_t i = first_range_input; i < in.size(); ++i) {
    MXS_CHECK(!in[i].known() || in[i].Size() == 1)
        << "range input " << i << " must hold one value, got shape " << in[i].ToString();
    if (!in[i].known()) in[i] = Shape{1};
  }
  for (size_t k = 1; k < out.size(); ++k) out[k] = Shape{1};
}

void InferTypeQuantizeV2(const QuantizeV2Param& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = DType::kFloat32;
  MXS_CHECK(in[0] == DType::kFloat32 || in[0] == DType::kInt8 || in[0] == DType::kUint8)
      << "quantize_v2 takes float32, int8 or uint8 data, got " << DTypeName(in[0]);
  out = {p.OutputDType(in[0]), DType::kFloat32, DType::kFloat32};
}

template <typename P>
void InferShapeRanged(const P&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "data shape is unknown";
  out[0] = in[0];
  RangeShapes(in, out, 1);
}

void InferTypeDequantize(const DequantizeParam&, std::vector<DType>& in, std::vector<DType>& out) {
  MXS_CHECK(in[0] == DType::kUnknown || in[0] == DType::kInt8 || in[0] == DType::kUint8)
      << "dequantize takes int8 or uint8 data, got " << DTypeName(in[0]);
  for (size_t i = 1; i < in.size(); ++i) {
    MXS_CHECK(in[i] == DType::kUnknown || in[i] == DType::kFloat32)
        << "dequantize range input " << i << " must be float32, got " << DTypeName(in[i]);
    in[i] = DType::kFloat32;
  }
  out[0] = DType::kFloat32;
}

void InferTypeRequantize(const RequantizeParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = DType::kInt32;
  MXS_CHECK(in[0] == DType::kInt32) << "requantize takes int32 data, got " << DTypeName(in[0]);
  in[1] = in[2] = DType::kFloat32;
  out = {p.OutputDType(), DType::kFloat32, DType::kFloat32};
}

}  // namespace

MXS_REGISTER_OPS(quantized) {
  r.Add("_contrib_quantize_v2")
      .Param<QuantizeV2Param>()
      .NumInputs(1)
      .NumOutputs(3)
      .InputNames(std::vector<std::string>{"data"})
      .InferShape(InferShapeRanged<QuantizeV2Param>)
      .InferType(InferTypeQuantizeV2);
  RegisterQuantizedOp("_contrib_quantize_v2", MakeQuantizedOpInfo<QuantizeV2Param>());
  r.Add("_contrib_dequantize")
      .Param<DequantizeParam>()
      .NumInputs(3)
      .InputNames({"data", "min_range", "max_range"})
      .InferShape(InferShapeRanged<DequantizeParam>)
      .InferType(InferTypeDequantize);
  RegisterQuantizedOp("_contrib_dequantize", MakeQuantizedOpInfo<DequantizeParam>());
  r.Add("_contrib_requantize")
      .Param<RequantizeParam>()
      .NumInputs(3)
      .NumOutputs(3)
      .InputNames({"data", "min_range", "max_range"})
      .InferShape(InferShapeRanged<RequantizeParam>)
      .InferType(InferTypeRequantize);
  RegisterQuantizedOp("_contrib_requantize", MakeQuantizedOpInfo<RequantizeParam>());
}

}  // namespace mxserve
