// SPDX-License-Identifier: Apache-2.0
// softmax / log_softmax (axis, temperature, dtype, use_length), SoftmaxActivation (instance or
// channel mode) and SoftmaxOutput (label input unused at inference; its training-only
// attributes are accepted and ignored). The output has the data's shape.
#include "ops/softmax.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

SoftmaxParam SoftmaxParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SoftmaxParam p;
  p.axis = static_cast<int>(r.Int("axis", -1));
  p.temperature = r.OptFloat("temperature").value_or(1.0);
  MXS_CHECK(p.temperature != 0.0) << "temperature must not be 0";
  std::string dtype = r.String("dtype", "None");
  if (dtype != "None") {
    MXS_CHECK(dtype == "float16" || dtype == "float32" || dtype == "float64")
        << "dtype must be float16, float32 or float64, got '" << dtype << "'";
    p.dtype = DTypeFromName(dtype);
  }
  p.use_length = r.Has("use_length") && r.String("use_length") == "None" ? false : r.Bool("use_length", false);
  r.Finish();
  return p;
}

MaskedSoftmaxParam MaskedSoftmaxParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  MaskedSoftmaxParam p;
  p.axis = static_cast<int>(r.Int("axis", -1));
  p.temperature = r.Has("temperature") && r.String("temperature") == "None" ? 1.0 : r.Float("temperature", 1.0);
  MXS_CHECK(p.temperature != 0.0) << "temperature must not be 0";
  // MXNet's CPU kernel always subtracts the maximum; normalize=False changes nothing there.
  r.Ignore({"normalize"});
  r.Finish();
  return p;
}

SoftmaxActivationParam SoftmaxActivationParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SoftmaxActivationParam p;
  p.channel = r.Enum("mode", "instance", {"instance", "channel"}) == "channel";
  r.Finish();
  return p;
}

SoftmaxOutputParam SoftmaxOutputParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SoftmaxOutputParam p;
  p.multi_output = r.Bool("multi_output", false);
  p.preserve_shape = r.Bool("preserve_shape", false);
  r.Enum("normalization", "null", {"null", "batch", "valid"});
  // Gradient-only settings: the forward pass does not read them.
  r.Ignore({"grad_scale", "ignore_label", "use_ignore", "out_grad", "smooth_alpha"});
  r.Finish();
  return p;
}

namespace {

void InferSoftmaxShape(const SoftmaxParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  const int axis = NormalizeAxis(p.axis, data.ndim());
  if (p.use_length) {
    std::vector<int64_t> l = data.dims();
    l.erase(l.begin() + axis);
    // One row of 1-D data has a length vector of one element.
    Shape ls = l.empty() ? Shape{1} : Shape(l);
    MXS_CHECK(!in[1].known() || in[1] == ls) << "length has shape " << in[1].ToString() << ", expected "
                                             << ls.ToString();
    in[1] = ls;
  }
  out[0] = data;
}

void InferSoftmaxType(const SoftmaxParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(IsFloatingPoint(in[0])) << "data must be floating point, got " << DTypeName(in[0]);
  if (p.use_length && in[1] == DType::kUnknown) in[1] = DType::kInt32;
  out[0] = p.dtype == DType::kUnknown ? in[0] : p.dtype;
}

void InferMaskedShape(const MaskedSoftmaxParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape &data = in[0], &mask = in[1];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  NormalizeAxis(p.axis, data.ndim());
  MXS_CHECK(mask.known() && mask.ndim() == data.ndim())
      << "mask " << mask.ToString() << " must have the data's number of dimensions, data is " << data.ToString();
  for (int i = 0; i < data.ndim(); ++i)
    MXS_CHECK(mask[i] == data[i] || mask[i] == 1)
        << "mask " << mask.ToString() << " cannot be broadcast to " << data.ToString();
  out[0] = data;
}

void InferMaskedType(const MaskedSoftmaxParam&, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[1] == DType::kUnknown) in[1] = DType::kBool;
  MXS_CHECK(in[1] == DType::kBool) << "mask must be bool, got " << DTypeName(in[1]);
  if (in[0] == DType::kUnknown) return;
  MXS_CHECK(IsFloatingPoint(in[0])) << "data must be floating point, got " << DTypeName(in[0]);
  out[0] = in[0];
}

void AddMasked(OpRegistry& r, const char* name, const char* alias) {
  r.Add(name)
      .Aliases({alias})
      .Param<MaskedSoftmaxParam>()
      .NumInputs(2)
      .InputNames({"data", "mask"})
      .InferShape(InferMaskedShape)
      .InferType(InferMaskedType);
}

void InferActivationShape(const SoftmaxActivationParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[0].ndim() >= 1) << "data shape is unknown or a scalar";
  MXS_CHECK(!p.channel || in[0].ndim() >= 3) << "mode=channel needs data of at least 3 dimensions, got "
                                             << in[0].ToString();
  out[0] = in[0];
}

void InferOutputShape(const SoftmaxOutputParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  MXS_CHECK(data.known() && data.ndim() >= 1) << "data shape is unknown or a scalar";
  if (!in[1].known()) {
    // The label is never read; give it the shape MXNet would ask for.
    if (p.multi_output && data.ndim() >= 2) {
      in[1] = Shape{data[0], data.Size() / data[0] / data[1]};
    } else {
      in[1] = Shape(std::vector<int64_t>(data.dims().begin(), data.dims().end() - 1));
    }
  }
  out[0] = data;
}

void AddSoftmax(OpRegistry& r, const char* name, const char* alias) {
  r.Add(name)
      .Aliases({alias})
      .Param<SoftmaxParam>()
      .NumInputs<SoftmaxParam>([](const SoftmaxParam& p) { return p.use_length ? 2 : 1; })
      .InputNames<SoftmaxParam>([](const SoftmaxParam& p) {
        return p.use_length ? std::vector<std::string>{"data", "length"} : std::vector<std::string>{"data"};
      })
      .InferShape(InferSoftmaxShape)
      .InferType(InferSoftmaxType);
}

}  // namespace

MXS_REGISTER_OPS(softmax) {
  AddSoftmax(r, "softmax", "_npx_softmax");
  AddSoftmax(r, "log_softmax", "_npx_log_softmax");
  AddMasked(r, "masked_softmax", "_npx_masked_softmax");
  AddMasked(r, "masked_log_softmax", "_npx_masked_log_softmax");
  r.Add("SoftmaxActivation").Param<SoftmaxActivationParam>().NumInputs(1).InferShape(InferActivationShape);
  r.Add("SoftmaxOutput")
      .Aliases({"Softmax"})
      .Param<SoftmaxOutputParam>()
      .NumInputs(2)
      .InputNames({"data", "label"})
      .UnusedInputs({1})
      .InferShape(InferOutputShape);
}

}  // namespace mxserve
