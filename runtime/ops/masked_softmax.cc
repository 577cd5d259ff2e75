// SPDX-License-Identifier: Apache-2.0
// masked_softmax and masked_log_softmax. The second input is a bool mask of the data's rank whose
// axes are the data's or 1 (broadcast). Masked-out elements enter the softmax as the dtype's
// lowest value and leave it as 0 (softmax) or -inf (log_softmax); a row masked out entirely
// gives 0 / -inf everywhere.
#include "ops/masked_softmax.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

MaskedSoftmaxParam MaskedSoftmaxParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  MaskedSoftmaxParam p;
  p.axis = static_cast<int>(r.Int("axis", -1));
  p.temperature = r.OptFloat("temperature").value_or(1.0);
  MXS_CHECK(p.temperature != 0.0) << "temperature must not be 0";
  p.normalize =
      !r.Has("normalize") || r.String("normalize") == "None" ? true : r.Bool("normalize", true);
  r.Finish();
  return p;
}

namespace {

void InferShape(const MaskedSoftmaxParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  const Shape& mask = in[1];
  MXS_CHECK(data.known() && mask.known()) << "input shapes are unknown";
  MXS_CHECK(data.ndim() > 0) << "the data needs at least one axis";
  MXS_CHECK(data.ndim() == mask.ndim()) << "mask " << mask.ToString() << " and data "
                                        << data.ToString() << " have different numbers of axes";
  for (int i = 0; i < data.ndim(); ++i)
    MXS_CHECK(mask[i] == data[i] || mask[i] == 1)
        << "mask " << mask.ToString() << " cannot be broadcast to data " << data.ToString();
  NormalizeAxis(p.axis, data.ndim());
  out[0] = data;
}

void InferType(const MaskedSoftmaxParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[1] == DType::kUnknown) in[1] = DType::kBool;
  MXS_CHECK(in[1] == DType::kBool) << "the mask must be bool, got " << DTypeName(in[1]);
  if (in[0] == DType::kUnknown) in[0] = out[0];
  if (out[0] == DType::kUnknown) out[0] = in[0];
  MXS_CHECK(in[0] == out[0]) << "output dtype " << DTypeName(out[0]) << " differs from the data's "
                             << DTypeName(in[0]);
}

}  // namespace

MXS_REGISTER_OPS(masked_softmax) {
  for (auto names : {std::vector<std::string>{"masked_softmax", "_npx_masked_softmax"},
                     std::vector<std::string>{"masked_log_softmax", "_npx_masked_log_softmax"}}) {
    r.Add(names[0])
        .Aliases({names[1]})
        .Param<MaskedSoftmaxParam>()
        .NumInputs(2)
        .InputNames({"data", "mask"})
        .InferShape(InferShape)
        .InferType(InferType);
  }
}

}  // namespace mxserve
