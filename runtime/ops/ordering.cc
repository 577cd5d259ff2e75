// SPDX-License-Identifier: Apache-2.0
// Ordering operators. topk, sort and argsort view the input as (outer, n, inner) around the
// sorted axis, as MXNet's ParseTopKParam does; argmax and argmin the same way around the
// searched axis. Output dtypes follow TopKType / SortType / ArgSortType (legacy argmax/argmin:
// the input's dtype; _npi_argmax/_npi_argmin: int64).
#include "ops/ordering.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

// Index dtypes MXNet's TopKParam / ArgSortParam accept.
DType ParseIndexDType(AttrReader& r) {
  std::string name =
      r.Enum("dtype", "float32", {"uint8", "int32", "int64", "float16", "float32", "float64"});
  return DTypeFromName(name);
}

std::optional<int64_t> ParseAxis(AttrReader& r, std::optional<int64_t> def) {
  if (!r.Has("axis")) return def;
  return r.OptInt("axis");
}

SortGeometry AxisGeometry(const Shape& in, std::optional<int64_t> axis) {
  SortGeometry g;
  if (!axis) {
    g.n = in.Size();
    return g;
  }
  MXS_CHECK(in.ndim() > 0) << "axis " << *axis << " is out of bounds for a scalar";
  const int ax = NormalizeAxis(*axis, in.ndim());
  g.outer = ShapeProduct(in, 0, ax);
  g.n = in[ax];
  g.inner = ShapeProduct(in, ax + 1, in.ndim());
  return g;
}

template <typename P>
void InferShapeTopK(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  SortGeometry g = p.Geometry(in[0]);
  for (auto& o : out) o = g.out;
}

void SetType(DType& slot, DType t) {
  MXS_CHECK(slot == DType::kUnknown || slot == t)
      << "output dtype " << DTypeName(slot) << " differs from the operator's " << DTypeName(t);
  slot = t;
}

template <typename P>
void InferTypeTopK(const P& p, std::vector<DType>& in, std::vector<DType>& out) {
  using Ret = TopKParam::Ret;
  if (p.ret_typ == Ret::kIndices) {
    SetType(out[0], p.dtype);
    return;
  }
  if (p.ret_typ == Ret::kBoth) SetType(out[1], p.dtype);
  if (in[0] != DType::kUnknown) SetType(out[0], in[0]);
}

template <typename P>
void InferShapeArg(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = p.Geometry(in[0]).out;
}

template <typename P>
void InferTypeArg(const P& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (p.numpy) {
    SetType(out[0], DType::kInt64);
  } else if (in[0] != DType::kUnknown) {
    SetType(out[0], in[0]);
  }
}

void ParseArgExtremum(AttrReader& r, ArgExtremumParam& p) {
  p.axis = r.OptInt("axis");
  p.keepdims = r.Bool("keepdims", false);
  r.Finish();
}

}  // namespace

TopKParam TopKParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  TopKParam p;
  p.axis = ParseAxis(r, -1);
  p.k = r.Int("k", 1);
  const std::string ret = r.Enum("ret_typ", "indices", {"value", "indices", "mask", "both"});
  p.ret_typ = ret == "value"  ? Ret::kValue
              : ret == "mask" ? Ret::kMask
              : ret == "both" ? Ret::kBoth
                              : Ret::kIndices;
  p.is_ascend = r.Bool("is_ascend", false);
  p.dtype = ParseIndexDType(r);
  r.Finish();
  return p;
}

SortGeometry TopKParam::Geometry(const Shape& in) const {
  SortGeometry g = AxisGeometry(in, axis);
  g.k = k <= 0 ? g.n : k;
  MXS_CHECK(g.k <= g.n) << "k = " << k << " is larger than the " << g.n
                        << " elements of the sorted axis";
  if (ret_typ == Ret::kMask) {
    g.out = in;
  } else if (!axis) {
    g.out = Shape({g.k});
  } else {
    std::vector<int64_t> o = in.dims();
    o[NormalizeAxis(*axis, in.ndim())] = g.k;
    g.out = Shape(o);
  }
  return g;
}

SortParam SortParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SortParam p;
  p.axis = ParseAxis(r, -1);
  p.is_ascend = r.Bool("is_ascend", true);
  r.Finish();
  p.k = 0;
  p.ret_typ = Ret::kValue;
  return p;
}

ArgSortParam ArgSortParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ArgSortParam p;
  p.axis = ParseAxis(r, -1);
  p.is_ascend = r.Bool("is_ascend", true);
  p.dtype = ParseIndexDType(r);
  r.Finish();
  p.k = 0;
  p.ret_typ = Ret::kIndices;
  return p;
}

ArgExtremumParam ArgExtremumParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ArgExtremumParam p;
  ParseArgExtremum(r, p);
  return p;
}

ArgmaxChannelParam ArgmaxChannelParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  ArgmaxChannelParam p;
  p.axis = 1;
  return p;
}

NumpyArgExtremumParam NumpyArgExtremumParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyArgExtremumParam p;
  ParseArgExtremum(r, p);
  p.numpy = true;
  return p;
}

SortGeometry ArgExtremumParam::Geometry(const Shape& in) const {
  SortGeometry g = AxisGeometry(in, axis);
  g.k = 1;
  MXS_CHECK(g.n > 0) << "cannot search an empty " << (axis ? "axis" : "input") << " (input shape "
                     << in.ToString() << ")";
  if (!axis) {
    if (keepdims) {
      g.out = Shape(std::vector<int64_t>(in.ndim(), 1));
    } else {
      g.out = numpy ? Shape(std::vector<int64_t>{}) : Shape({1});
    }
    return g;
  }
  const int ax = NormalizeAxis(*axis, in.ndim());
  std::vector<int64_t> o;
  for (int i = 0; i < in.ndim(); ++i) {
    if (i != ax) {
      o.push_back(in[i]);
    } else if (keepdims) {
      o.push_back(1);
    }
  }
  // MXNet 1.x never produces a 0-d result: a 1-D input reduces to shape (1,).
  if (!numpy && o.empty()) o.push_back(1);
  g.out = Shape(o);
  return g;
}

MXS_REGISTER_OPS(ordering) {
  r.Add("topk")
      .Aliases({"_npx_topk"})
      .Param<TopKParam>()
      .NumInputs(1)
      .NumOutputs<TopKParam>([](const TopKParam& p) { return p.NumOutputs(); })
      .InferShape(InferShapeTopK<TopKParam>)
      .InferType(InferTypeTopK<TopKParam>);
  r.Add("sort")
      .Aliases({"_npi_sort"})
      .Param<SortParam>()
      .NumInputs(1)
      .InferShape(InferShapeTopK<SortParam>)
      .InferType(InferTypeTopK<SortParam>);
  r.Add("argsort")
      .Aliases({"_npi_argsort"})
      .Param<ArgSortParam>()
      .NumInputs(1)
      .InferShape(InferShapeTopK<ArgSortParam>)
      .InferType(InferTypeTopK<ArgSortParam>);
  r.Add("argmax")
      .Param<ArgExtremumParam>()
      .NumInputs(1)
      .InferShape(InferShapeArg<ArgExtremumParam>)
      .InferType(InferTypeArg<ArgExtremumParam>);
  r.Add("argmin")
      .Param<ArgExtremumParam>()
      .NumInputs(1)
      .InferShape(InferShapeArg<ArgExtremumParam>)
      .InferType(InferTypeArg<ArgExtremumParam>);
  r.Add("argmax_channel")
      .Param<ArgmaxChannelParam>()
      .NumInputs(1)
      .InferShape(InferShapeArg<ArgmaxChannelParam>)
      .InferType(InferTypeArg<ArgmaxChannelParam>);
  r.Add("_npi_argmax")
      .Param<NumpyArgExtremumParam>()
      .NumInputs(1)
      .InferShape(InferShapeArg<NumpyArgExtremumParam>)
      .InferType(InferTypeArg<NumpyArgExtremumParam>);
  r.Add("_npi_argmin")
      .Param<NumpyArgExtremumParam>()
      .NumInputs(1)
      .InferShape(InferShapeArg<NumpyArgExtremumParam>)
      .InferType(InferTypeArg<NumpyArgExtremumParam>);
}

}  // namespace mxserve
