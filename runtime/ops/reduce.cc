// SPDX-License-Identifier: Apache-2.0
// Reductions. The parameter structs compute a ReducePlan (which axes fold, which shape comes
// out) from MXNet's ReduceAxesShapeImpl / NumpyReduceAxesShapeImpl rules; the operator name picks
// the arithmetic in the kernel (backends/cpu_onednn/reduce.cc).
#include "ops/reduce.h"

#include <algorithm>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

// Canonical, sorted, duplicate-free axes; throws on out-of-range or repeated axes.
std::vector<int64_t> CanonicalAxes(const std::vector<int64_t>& axis, const Shape& in) {
  std::vector<int64_t> axes;
  for (int64_t a : axis) {
    int64_t c = a < 0 ? a + in.ndim() : a;
    MXS_CHECK(c >= 0 && c < in.ndim()) << "reduction axis " << a << " is out of bounds for input shape "
                                       << in.ToString();
    axes.push_back(c);
  }
  std::sort(axes.begin(), axes.end());
  for (size_t i = 1; i < axes.size(); ++i)
    MXS_CHECK(axes[i - 1] != axes[i]) << "reduction axis " << axes[i] << " is repeated";
  return axes;
}

ReducePlan Build(const Shape& in, const std::vector<bool>& reduced, bool keepdims) {
  ReducePlan p;
  p.reduced = reduced;
  std::vector<int64_t> o;
  for (int i = 0; i < in.ndim(); ++i) {
    if (!reduced[i]) {
      o.push_back(in[i]);
    } else if (keepdims) {
      o.push_back(1);
    }
  }
  p.out = Shape(o);
  return p;
}

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = p.Plan(in[0]).out;
}

// sum and prod: bool counts as int64, everything else keeps its dtype unless dtype is given.
void InferTypeSum(const NumpyReduceParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  if (p.dtype != DType::kUnknown) {
    out[0] = p.dtype;
  } else {
    out[0] = in[0] == DType::kBool ? DType::kInt64 : in[0];
  }
}

// mean: integers average to float32 (MXNet's default dtype) unless dtype is given.
void InferTypeMean(const NumpyReduceParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  if (p.dtype != DType::kUnknown) {
    out[0] = p.dtype;
  } else {
    out[0] = IsFloatingPoint(in[0]) ? in[0] : DType::kFloat32;
  }
}

}  // namespace

ReduceAxesParam ReduceAxesParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  ReduceAxesParam p;
  p.axis = r.OptTuple("axis");
  p.keepdims = r.Bool("keepdims", false);
  p.exclude = r.Bool("exclude", false);
  r.Finish();
  return p;
}

ReducePlan ReduceAxesParam::Plan(const Shape& in) const {
  const int ndim = in.ndim();
  if (!axis || axis->empty()) {
    // Everything folds; without keepdims MXNet 1.x returns shape (1,), having no 0-d arrays.
    if (keepdims) return Build(in, std::vector<bool>(ndim, true), true);
    ReducePlan p;
    p.reduced.assign(ndim, true);
    p.out = Shape{1};
    return p;
  }
  std::vector<int64_t> axes = CanonicalAxes(*axis, in);
  std::vector<bool> reduced(ndim, exclude);
  for (int64_t a : axes) reduced[a] = !exclude;
  ReducePlan p = Build(in, reduced, keepdims);
  if (p.out.ndim() == 0) p.out = Shape{1};
  return p;
}

NumpyReduceParam NumpyReduceParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyReduceParam p;
  p.axis = r.OptTuple("axis");
  p.keepdims = r.Bool("keepdims", false);
  if (auto d = r.String("dtype", "None"); d != "None") {
    p.dtype = DTypeFromName(d);
    MXS_CHECK(p.dtype != DType::kUnknown) << "attribute 'dtype': unknown dtype '" << d << "'";
  }
  // MXNet itself rejects `initial` ("initial is not supported yet") when the operator runs.
  auto initial = r.OptFloat("initial");
  r.Finish();
  MXS_CHECK_CODE(!initial.has_value(), kUnsupported) << "attribute 'initial' is not supported (MXNet rejects it too)";
  return p;
}

ReducePlan NumpyReduceParam::Plan(const Shape& in) const {
  const int ndim = in.ndim();
  if (ndim == 0) {
    if (axis && !axis->empty()) {
      MXS_CHECK(axis->size() == 1 && ((*axis)[0] == 0 || (*axis)[0] == -1))
          << "reduction axis is out of bounds for a 0-d array";
    }
    return ReducePlan{{}, Shape(std::vector<int64_t>{})};
  }
  if (!axis) return Build(in, std::vector<bool>(ndim, true), keepdims);
  std::vector<bool> reduced(ndim, false);
  for (int64_t a : CanonicalAxes(*axis, in)) reduced[a] = true;
  return Build(in, reduced, keepdims);
}

MXS_REGISTER_OPS(reduce) {
  for (const char* name : {"sum", "mean", "max", "min", "prod"}) {
    OpDef& d = r.Add(name).Param<ReduceAxesParam>().NumInputs(1).InferShape(InferShape<ReduceAxesParam>);
    if (std::string(name) == "sum") d.Aliases({"sum_axis"});
    if (std::string(name) == "max") d.Aliases({"max_axis"});
    if (std::string(name) == "min") d.Aliases({"min_axis"});
  }
  // MXNet 1.x registers _np_sum/_np_max/_np_min/_np_prod, MXNet 2.0 _npi_*; _npi_mean in both.
  r.Add("_np_sum")
      .Aliases({"_npi_sum"})
      .Param<NumpyReduceParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyReduceParam>)
      .InferType(InferTypeSum);
  r.Add("_np_prod")
      .Aliases({"_np_product", "_npi_prod"})
      .Param<NumpyReduceParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyReduceParam>)
      .InferType(InferTypeSum);
  r.Add("_npi_mean")
      .Param<NumpyReduceParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyReduceParam>)
      .InferType(InferTypeMean);
  r.Add("_np_max")
      .Aliases({"_np_amax", "_npi_max", "_npi_amax"})
      .Param<NumpyReduceParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyReduceParam>);
  r.Add("_np_min")
      .Aliases({"_np_amin", "_npi_min", "_npi_amin"})
      .Param<NumpyReduceParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyReduceParam>);
}

}  // namespace mxserve
