// SPDX-License-Identifier: Apache-2.0
// Creation operators. The zero-input ones (_zeros, _ones, _full, _arange and their _npi_ forms)
// take their whole output from attributes; the *_like ones read only their input's shape (and
// dtype). Shapes follow MXNet's InitShape / RangeShape / RangeLikeShape.
#include "ops/init_ops.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

Shape ParseShape(AttrReader& r) {
  std::vector<int64_t> dims = r.Tuple("shape", {});
  for (int64_t d : dims)
    MXS_CHECK(d >= 0) << "attribute 'shape': dimension " << d << " must be known and non-negative";
  return Shape(dims);
}

// "None" (MXNet 2.0's default) means the default dtype, float32.
DType ParseDType(AttrReader& r, const char* def) {
  std::string name = r.String("dtype", def);
  if (name == "None") return DType::kFloat32;
  DType t = DTypeFromName(name);
  MXS_CHECK(t != DType::kUnknown) << "attribute 'dtype': unknown dtype '" << name << "'";
  return t;
}

void SetOutType(std::vector<DType>& out, DType t) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "output dtype " << DTypeName(out[0]) << " differs from the dtype attribute "
      << DTypeName(t);
  out[0] = t;
}

template <typename P>
void InferShapeInit(const P& p, std::vector<Shape>&, std::vector<Shape>& out) {
  out[0] = p.shape;
}

template <typename P>
void InferTypeInit(const P& p, std::vector<DType>&, std::vector<DType>& out) {
  SetOutType(out, p.dtype);
}

template <typename P>
void InferShapeSame(const P&, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = in[0];
}

template <typename P>
void InferTypeLike(const P&, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeSame(in, out);
}

void InferTypeFullLike(const FullLikeParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (p.dtype != DType::kUnknown) {
    SetOutType(out, p.dtype);
  } else if (in[0] != DType::kUnknown) {
    SetOutType(out, in[0]);
  }
}

template <typename P>
void InferShapeRange(const P& p, std::vector<Shape>&, std::vector<Shape>& out) {
  MXS_CHECK_CODE(!p.infer_range, kUnsupported)
      << "infer_range=True takes the output size from the operators that read it; mxserve "
         "infers shapes forwards only";
  out[0] = Shape({p.Size()});
}

void InferShapeRangeLike(const RangeLikeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!p.axis) {
    out[0] = in[0];
    return;
  }
  int ax = NormalizeAxis(*p.axis, in[0].ndim());
  out[0] = Shape({in[0][ax]});
}

void ParseRange(AttrReader& r, RangeParam& p) {
  p.start = r.Float("start", 0.0);
  p.stop = r.OptFloat("stop");
  p.step = r.Float("step", 1.0);
  p.repeat = r.Int("repeat", 1);
  p.infer_range = r.Bool("infer_range", false);
  p.dtype = ParseDType(r, "float32");
  r.Ignore({"ctx"});
  r.Finish();
  MXS_CHECK(p.step != 0.0) << "attribute 'step': the step cannot be 0";
  MXS_CHECK(p.repeat > 0) << "attribute 'repeat': " << p.repeat << " must be positive";
}

/// The value as a double (integer values converted by C++ rules).
double AsDouble(const FillValue& v) {
  switch (v.kind) {
    case FillValue::Kind::kInt: return static_cast<double>(v.integer);
    case FillValue::Kind::kUint: return static_cast<double>(v.uinteger);
    default: return v.real;
  }
}

/// The value cast to T; integer values are cast without passing through a double.
template <typename T>
T CastTo(const FillValue& v) {
  switch (v.kind) {
    case FillValue::Kind::kInt: return static_cast<T>(v.integer);
    case FillValue::Kind::kUint: return static_cast<T>(v.uinteger);
    default: return static_cast<T>(v.real);
  }
}

template <typename T>
uint64_t Bits(T v) {
  uint64_t p = 0;
  std::memcpy(&p, &v, sizeof(T));
  return p;
}

}  // namespace

bool FillValuePattern(DType dtype, const FillValue& v, uint64_t* pattern) {
  switch (dtype) {
    case DType::kFloat32: *pattern = Bits(CastTo<float>(v)); return true;
    case DType::kFloat64: *pattern = Bits(CastTo<double>(v)); return true;
    case DType::kFloat16:
      *pattern = Bits(FloatToHalf(static_cast<float>(AsDouble(v))));
      return true;
    case DType::kBfloat16:
      *pattern = Bits(FloatToBfloat16(static_cast<float>(AsDouble(v))));
      return true;
    case DType::kUint8: *pattern = Bits(CastTo<uint8_t>(v)); return true;
    case DType::kInt8: *pattern = Bits(CastTo<int8_t>(v)); return true;
    case DType::kInt32: *pattern = Bits(CastTo<int32_t>(v)); return true;
    case DType::kInt64: *pattern = Bits(CastTo<int64_t>(v)); return true;
    case DType::kBool:
      *pattern = Bits(v.kind == FillValue::Kind::kReal ? v.real != 0.0 : CastTo<bool>(v));
      return true;
    default: return false;
  }
}

InitParam InitParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  InitParam p;
  p.shape = ParseShape(r);
  p.dtype = ParseDType(r, "float32");
  r.Ignore({"ctx"});
  r.Finish();
  return p;
}

FullParam FullParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FullParam p;
  p.shape = ParseShape(r);
  p.dtype = ParseDType(r, "float32");
  p.value.real = r.Float("value");
  r.Ignore({"ctx"});
  r.Finish();
  return p;
}

NumpyFullParam NumpyFullParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyFullParam p;
  p.shape = ParseShape(r);
  p.dtype = ParseDType(r, "None");
  // MXNet 1.9.1 registers _npi_full as an alias of _full, with a plain `value`.
  if (r.Has("value")) {
    p.value.real = r.Float("value");
    r.Ignore({"ctx"});
    r.Finish();
    return p;
  }
  p.value.real = r.Float("double_value", 0.0);
  p.value.integer = r.Int("int_value", 0);
  const std::string u = r.String("uint_value", "0");
  try {
    p.value.uinteger = std::stoull(u);
  } catch (const std::exception&) {
    MXS_THROW(kInvalidArgument) << "attribute 'uint_value': cannot parse '" << u << "'";
  }
  const int64_t type = r.Int("value_type", 2);
  p.value.kind = type == 0   ? FillValue::Kind::kInt
                 : type == 1 ? FillValue::Kind::kUint
                             : FillValue::Kind::kReal;
  r.Ignore({"ctx"});
  r.Finish();
  return p;
}

LikeParam LikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return LikeParam{};
}

FullLikeParam FullLikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  FullLikeParam p;
  p.value.real = r.Float("fill_value");
  std::string name = r.String("dtype", "None");
  if (name != "None") {
    p.dtype = DTypeFromName(name);
    MXS_CHECK(p.dtype != DType::kUnknown) << "attribute 'dtype': unknown dtype '" << name << "'";
  }
  r.Ignore({"ctx"});
  r.Finish();
  return p;
}

RangeParam RangeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RangeParam p;
  ParseRange(r, p);
  // arange(5) means [0, 5): a lone start is the stop (MXNet's RangeParamParser).
  if (!p.infer_range && !p.stop) {
    p.stop = p.start;
    p.start = 0.0;
  }
  if (!p.infer_range) {
    MXS_CHECK(p.step > 0 ? p.start < *p.stop : p.start > *p.stop)
        << "invalid range (start, stop, step) = (" << p.start << ", " << *p.stop << ", " << p.step
        << ")";
  }
  return p;
}

NumpyRangeParam NumpyRangeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyRangeParam p;
  ParseRange(r, p);
  p.numpy = true;
  MXS_CHECK(p.repeat == 1) << "attribute 'repeat': _npi_arange only supports repeat=1, got "
                           << p.repeat;
  MXS_CHECK(p.stop.has_value()) << "attribute 'stop': _npi_arange requires a stop value";
  return p;
}

int64_t RangeParam::Size() const {
  double n = std::ceil((*stop - start) / step);
  if (numpy && n < 0) n = 0;
  return static_cast<int64_t>(n) * repeat;
}

RangeLikeParam RangeLikeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  RangeLikeParam p;
  p.start = r.Float("start", 0.0);
  p.step = r.Float("step", 1.0);
  p.repeat = r.Int("repeat", 1);
  p.axis = r.OptInt("axis");
  r.Ignore({"ctx"});
  r.Finish();
  MXS_CHECK(p.repeat > 0) << "attribute 'repeat': " << p.repeat << " must be positive";
  return p;
}

MXS_REGISTER_OPS(init_ops) {
  r.Add("_zeros")
      .Param<InitParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<InitParam>)
      .InferType(InferTypeInit<InitParam>);
  r.Add("_ones")
      .Param<InitParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<InitParam>)
      .InferType(InferTypeInit<InitParam>);
  r.Add("_npi_zeros")
      .Param<InitParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<InitParam>)
      .InferType(InferTypeInit<InitParam>);
  r.Add("_npi_ones")
      .Param<InitParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<InitParam>)
      .InferType(InferTypeInit<InitParam>);
  r.Add("_full")
      .Param<FullParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<FullParam>)
      .InferType(InferTypeInit<FullParam>);
  r.Add("_npi_full")
      .Param<NumpyFullParam>()
      .NumInputs(0)
      .InferShape(InferShapeInit<NumpyFullParam>)
      .InferType(InferTypeInit<NumpyFullParam>);
  r.Add("zeros_like")
      .Param<LikeParam>()
      .NumInputs(1)
      .InferShape(InferShapeSame<LikeParam>)
      .InferType(InferTypeLike<LikeParam>);
  r.Add("ones_like")
      .Param<LikeParam>()
      .NumInputs(1)
      .InferShape(InferShapeSame<LikeParam>)
      .InferType(InferTypeLike<LikeParam>);
  r.Add("_npi_full_like")
      .Param<FullLikeParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShapeSame<FullLikeParam>)
      .InferType(InferTypeFullLike);
  r.Add("_arange")
      .Param<RangeParam>()
      .NumInputs(0)
      .InferShape(InferShapeRange<RangeParam>)
      .InferType(InferTypeInit<RangeParam>);
  r.Add("_npi_arange")
      .Param<NumpyRangeParam>()
      .NumInputs(0)
      .InferShape(InferShapeRange<NumpyRangeParam>)
      .InferType(InferTypeInit<NumpyRangeParam>);
  r.Add("_contrib_arange_like")
      .Aliases({"_npx_arange_like"})
      .Param<RangeLikeParam>()
      .NumInputs(1)
      .InferShape(InferShapeRangeLike)
      .InferType(InferTypeLike<RangeLikeParam>);
}

}  // namespace mxserve
