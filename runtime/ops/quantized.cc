// SPDX-License-Identifier: Apache-2.0
// _contrib_quantize_v2, _contrib_dequantize and _contrib_requantize, with MXNet 1.9.1's MKLDNN
// semantics: quantize scales by 127.5 (int8) or 255.5 (uint8) over max|range|, dequantize
// divides by the same, requantize maps int32 through 2^31-1 to 127 (int8) or 255 (uint8). The
// registry of quantized operators (ops/quantization.h) lives here too.
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

namespace {

std::map<std::string, QuantizedOpInfo>& QuantizedOps() {
  static std::map<std::string, QuantizedOpInfo> ops;
  return ops;
}

QuantOutType ParseOutType(AttrReader& r, const char* def, bool allow_auto) {
  std::string t = allow_auto ? r.Enum("out_type", def, {"auto", "int8", "uint8"})
                             : r.Enum("out_type", def, {"int8", "uint8"});
  return t == "auto" ? QuantOutType::kAuto : t == "int8" ? QuantOutType::kInt8 : QuantOutType::kUint8;
}

std::optional<float> OptRange(AttrReader& r, const char* key) {
  auto v = r.OptFloat(key);
  return v ? std::optional<float>(static_cast<float>(*v)) : std::nullopt;
}

// MXNet's GetQuantizeOutputType.
DType OutTypeOf(QuantOutType t, const std::optional<float>& min_calib, const std::optional<float>& max_calib) {
  if (t == QuantOutType::kUint8) return DType::kUint8;
  if (t == QuantOutType::kAuto && min_calib && max_calib && *min_calib >= 0.f) return DType::kUint8;
  return DType::kInt8;
}

void CheckCalib(const std::optional<float>& lo, const std::optional<float>& hi) {
  MXS_CHECK(lo.has_value() == hi.has_value())
      << "min_calib_range and max_calib_range must be given together";
  MXS_CHECK(!lo || *lo <= *hi) << "min_calib_range " << *lo << " exceeds max_calib_range " << *hi;
}

}  // namespace

const QuantizedOpInfo* FindQuantizedOp(const std::string& op) {
  auto it = QuantizedOps().find(op);
  return it == QuantizedOps().end() ? nullptr : &it->second;
}

void RegisterQuantizedOp(const std::string& op, QuantizedOpInfo info) { QuantizedOps()[op] = info; }

QuantizeV2Param QuantizeV2Param::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  QuantizeV2Param p;
  p.out_type = ParseOutType(r, "int8", true);
  p.min_calib_range = OptRange(r, "min_calib_range");
  p.max_calib_range = OptRange(r, "max_calib_range");
  CheckCalib(p.min_calib_range, p.max_calib_range);
  r.Finish();
  return p;
}

DType QuantizeV2Param::OutputDType(DType in) const {
  if (in == DType::kInt8 || in == DType::kUint8) return in;
  return OutTypeOf(out_type, min_calib_range, max_calib_range);
}

void QuantizeV2Param::Resolve(const std::vector<float>&, const std::vector<DType>& dtypes) {
  const DType in = dtypes[0];
  if (in == DType::kInt8 || in == DType::kUint8) {
    // Already quantized data passes through with the calibrated or the full range.
    if (min_calib_range) {
      ranges.out_min = *min_calib_range, ranges.out_max = *max_calib_range;
    } else if (in == DType::kUint8) {
      ranges.out_min = 0.f, ranges.out_max = kUint8Range;
    } else {
      ranges.out_min = -kInt8Range, ranges.out_max = kInt8Range;
    }
    return;
  }
  MXS_CHECK_CODE(min_calib_range.has_value(), kUnsupported)
      << "quantizing without min_calib_range/max_calib_range (calib_mode='none') takes the range "
         "from each batch at run time, which mxserve does not support; quantize the model with "
         "calib_mode 'naive' or 'entropy'";
  if (OutputDType(in) == DType::kUint8) {
    ranges.out_min = *min_calib_range, ranges.out_max = *max_calib_range;
  } else {
    const float r = MaxAbs(*min_calib_range, *max_calib_range);
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
  AttrReader r(attrs);
  RequantizeParam p;
  p.out_type = ParseOutType(r, "int8", true);
  p.min_calib_range = OptRange(r, "min_calib_range");
  p.max_calib_range = OptRange(r, "max_calib_range");
  CheckCalib(p.min_calib_range, p.max_calib_range);
  r.Finish();
  return p;
}

DType RequantizeParam::OutputDType() const { return OutTypeOf(out_type, min_calib_range, max_calib_range); }

void RequantizeParam::Resolve(const std::vector<float>& values, const std::vector<DType>& dtypes) {
  MXS_CHECK_CODE(dtypes[0] == DType::kInt32, kUnsupported)
      << "requantize needs int32 data, got " << DTypeName(dtypes[0]);
  MXS_CHECK_CODE(min_calib_range.has_value(), kUnsupported)
      << "requantize without min_calib_range/max_calib_range (calib_mode='none') takes the range "
         "from each batch at run time, which mxserve does not support; quantize the model with "
         "calib_mode 'naive' or 'entropy'";
  ranges.in = values;
  const float r = MaxAbs(*min_calib_range, *max_calib_range);
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

void InferShapeQuantizeV2(const QuantizeV2Param&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "data shape is unknown";
  out[0] = in[0];
  RangeShapes(in, out, 1);
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
      .InferShape(InferShapeQuantizeV2)
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
