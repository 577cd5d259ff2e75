// SPDX-License-Identifier: Apache-2.0
// Indexing operators: shapes and dtypes follow MXNet's TakeOpShape, PickOpShape,
// BatchTakeOpShape, OneHotOpShape and GatherNDShape; the data's dtype flows to the output and the
// index input keeps its own (batch_take alone requires int32 indices).
#include "ops/indexing.h"

#include <string>
#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

IndexMode ParseMode(AttrReader& r, std::initializer_list<const char*> allowed) {
  const std::string m = r.Enum("mode", "clip", allowed);
  return m == "wrap" ? IndexMode::kWrap : m == "raise" ? IndexMode::kRaise : IndexMode::kClip;
}

void InferShapeTake(const TakeParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& a = in[0];
  const Shape& idx = in[1];
  MXS_CHECK(a.ndim() > 0) << "the data must have at least one axis";
  const int ax = NormalizeAxis(p.axis, a.ndim());
  std::vector<int64_t> o;
  for (int i = 0; i < ax; ++i) o.push_back(a[i]);
  for (int i = 0; i < idx.ndim(); ++i) o.push_back(idx[i]);
  for (int i = ax + 1; i < a.ndim(); ++i) o.push_back(a[i]);
  MXS_CHECK(a[ax] > 0 || idx.Size() == 0) << "cannot take from axis " << ax << " of size 0";
  out[0] = Shape(o);
}

void InferShapePick(const PickParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& a = in[0];
  const Shape& idx = in[1];
  const Shape want = p.Out(a, idx.ndim() == a.ndim());
  MXS_CHECK(idx == want) << "the index has shape " << idx.ToString() << ", expected "
                         << want.ToString() << " for data " << a.ToString();
  out[0] = p.Out(a, p.keepdims);
}

void InferShapeBatchTake(const BatchTakeParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& a = in[0];
  MXS_CHECK(a.ndim() >= 2) << "the data must have at least 2 axes, got " << a.ToString();
  // MXNet accepts more axes but then indexes rows of size/shape[0] elements past the data's end.
  MXS_CHECK_CODE(a.ndim() == 2, kUnsupported)
      << "data with " << a.ndim() << " axes is not supported (MXNet reads past the data's end)";
  MXS_CHECK(a.Size() / a[a.ndim() - 1] == in[1].Size() || a[a.ndim() - 1] == 0)
      << "the index " << in[1].ToString() << " must have one entry per row of the data "
      << a.ToString();
  out[0] = in[1];
}

void InferShapeOneHot(const OneHotParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  std::vector<int64_t> o = in[0].dims();
  o.push_back(p.depth);
  out[0] = Shape(o);
}

void InferShapeGatherNd(const GatherNdParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& d = in[0];
  const Shape& idx = in[1];
  MXS_CHECK(idx.ndim() > 1) << "the index needs at least 2 axes, got " << idx.ToString();
  const int64_t m = idx[0];
  MXS_CHECK(m > 0) << "the index " << idx.ToString() << " must address at least one axis";
  MXS_CHECK(m <= d.ndim()) << "the index addresses " << m << " axes but the data " << d.ToString()
                           << " has " << d.ndim();
  MXS_CHECK(m <= 10) << "at most 10 axes can be indexed, got " << m;
  std::vector<int64_t> o;
  for (int i = 1; i < idx.ndim(); ++i) o.push_back(idx[i]);
  for (int i = static_cast<int>(m); i < d.ndim(); ++i) o.push_back(d[i]);
  out[0] = Shape(o);
}

// Output = data dtype; the index keeps its own.
template <typename P>
void InferTypeData(const P&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) in[0] = out[0];
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == in[0])
      << "output dtype " << DTypeName(out[0]) << " differs from the data's " << DTypeName(in[0]);
  out[0] = in[0];
}

void InferTypeBatchTake(const BatchTakeParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeData(p, in, out);
  MXS_CHECK(in[1] == DType::kUnknown || in[1] == DType::kInt32)
      << "the index must be int32, got " << DTypeName(in[1]);
  in[1] = DType::kInt32;
}

void InferTypeOneHot(const OneHotParam& p, std::vector<DType>&, std::vector<DType>& out) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == p.dtype)
      << "output dtype " << DTypeName(out[0]) << " differs from the dtype attribute "
      << DTypeName(p.dtype);
  out[0] = p.dtype;
}

}  // namespace

TakeParam TakeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  TakeParam p;
  p.axis = r.Int("axis", 0);
  p.mode = ParseMode(r, {"clip", "wrap", "raise"});
  r.Finish();
  return p;
}

PickParam PickParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  PickParam p;
  if (r.Has("axis")) p.axis = r.OptInt("axis");
  p.keepdims = r.Bool("keepdims", false);
  p.mode = ParseMode(r, {"clip", "wrap"});
  r.Finish();
  MXS_CHECK_CODE(p.axis.has_value(), kUnsupported)
      << "axis=None is not supported by pick (nor by MXNet)";
  return p;
}

Shape PickParam::Out(const Shape& in, bool keep) const {
  MXS_CHECK(in.ndim() > 0) << "the data must have at least one axis";
  if (in.ndim() == 1) return Shape({1});
  const int ax = NormalizeAxis(*axis, in.ndim());
  std::vector<int64_t> o;
  for (int i = 0; i < in.ndim(); ++i) {
    if (i != ax) {
      o.push_back(in[i]);
    } else if (keep) {
      o.push_back(1);
    }
  }
  return Shape(o);
}

BatchTakeParam BatchTakeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return BatchTakeParam{};
}

OneHotParam OneHotParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  OneHotParam p;
  p.depth = r.Int("depth");
  p.on_value = r.Float("on_value", 1.0);
  p.off_value = r.Float("off_value", 0.0);
  const std::string d = r.Enum(
      "dtype", "float32", {"float32", "float64", "float16", "uint8", "int8", "int32", "int64"});
  p.dtype = DTypeFromName(d);
  r.Finish();
  MXS_CHECK(p.depth >= 0) << "attribute 'depth': " << p.depth << " must be non-negative";
  return p;
}

GatherNdParam GatherNdParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return GatherNdParam{};
}

MXS_REGISTER_OPS(indexing) {
  r.Add("take")
      .Aliases({"_npi_take"})
      .Param<TakeParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"a", "indices"})
      .InferShape(InferShapeTake)
      .InferType(InferTypeData<TakeParam>);
  r.Add("pick")
      .Aliases({"choose_element_0index", "_npx_pick"})
      .Param<PickParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "index"})
      .InferShape(InferShapePick)
      .InferType(InferTypeData<PickParam>);
  r.Add("batch_take")
      .Param<BatchTakeParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"a", "indices"})
      .InferShape(InferShapeBatchTake)
      .InferType(InferTypeBatchTake);
  r.Add("one_hot")
      .Aliases({"_npx_one_hot"})
      .Param<OneHotParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"indices"})
      .InferShape(InferShapeOneHot)
      .InferType(InferTypeOneHot);
  r.Add("gather_nd")
      .Aliases({"_npi_gather_nd", "_npx_gather_nd"})
      .Param<GatherNdParam>()
      .NumInputs(2)
      .InputNames(std::vector<std::string>{"data", "indices"})
      .InferShape(InferShapeGatherNd)
      .InferType(InferTypeData<GatherNdParam>);
}

}  // namespace mxserve
