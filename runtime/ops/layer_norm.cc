// SPDX-License-Identifier: Apache-2.0
// LayerNorm: data, gamma and beta (both of the axis' length); outputs the normalised data and,
// with output_mean_var, the mean and std with the axis kept as size 1.
#include "ops/layer_norm.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

LayerNormParam LayerNormParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  LayerNormParam p;
  p.axis = static_cast<int>(r.Int("axis", -1));
  p.eps = r.Float("eps", 1e-5);
  p.output_mean_var = r.Bool("output_mean_var", false);
  r.Finish();
  return p;
}

namespace {

void InferShape(const LayerNormParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  const int axis = NormalizeAxis(p.axis, data.ndim());
  Shape c{data[axis]};
  for (int i = 1; i <= 2; ++i) {
    MXS_CHECK(!in[i].known() || in[i] == c) << (i == 1 ? "gamma" : "beta") << " has shape "
                                            << in[i].ToString() << ", expected " << c.ToString();
    in[i] = c;
  }
  out[0] = data;
  if (p.output_mean_var) {
    std::vector<int64_t> m = data.dims();
    m[axis] = 1;
    out[1] = Shape(m);
    out[2] = Shape(m);
  }
}

void InferType(const LayerNormParam&, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeSame(in, out);
  for (DType t : in)
    MXS_CHECK(t == DType::kUnknown || IsFloatingPoint(t)) << "LayerNorm needs floating point data, got "
                                                          << DTypeName(t);
}

}  // namespace

MXS_REGISTER_OPS(layer_norm) {
  r.Add("LayerNorm")
      .Aliases({"_npx_layer_norm"})
      .Param<LayerNormParam>()
      .NumInputs(3)
      .NumOutputs<LayerNormParam>([](const LayerNormParam& p) { return p.output_mean_var ? 3 : 1; })
      .InputNames({"data", "gamma", "beta"})
      .InferShape(InferShape)
      .InferType(InferType)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
