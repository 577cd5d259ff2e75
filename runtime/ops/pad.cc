// SPDX-License-Identifier: Apache-2.0
// Pad: as in MXNet, only 4-D and 5-D inputs, no padding of the first two axes, pad_width of
// length 2 * ndim, and reflect padding narrower than the padded axis.
#include "ops/pad.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

PadParam PadParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  PadParam p;
  MXS_CHECK(r.Has("mode")) << "attribute 'mode' is required (constant, edge or reflect)";
  const std::string mode = r.Enum("mode", "constant", {"constant", "edge", "reflect"});
  p.mode = mode == "edge" ? Mode::kEdge : (mode == "reflect" ? Mode::kReflect : Mode::kConstant);
  p.pad_width = r.Tuple("pad_width");
  p.constant_value = r.Float("constant_value", 0.0);
  r.Finish();
  for (int64_t w : p.pad_width) MXS_CHECK(w >= 0) << "pad_width must not be negative, got " << w;
  return p;
}

namespace {

void InferShape(const PadParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  const Shape& s = in[0];
  MXS_CHECK(s.ndim() == 4 || s.ndim() == 5) << "only 4-D and 5-D inputs are supported, got " << s.ToString();
  MXS_CHECK(static_cast<int>(p.pad_width.size()) == 2 * s.ndim())
      << "pad_width has " << p.pad_width.size() << " entries, expected 2 * " << s.ndim();
  for (int i = 0; i < 4; ++i)
    MXS_CHECK(p.pad_width[i] == 0) << "the first two axes cannot be padded (pad_width[" << i
                                   << "] = " << p.pad_width[i] << ")";
  std::vector<int64_t> o = s.dims();
  for (int i = 0; i < s.ndim(); ++i) {
    if (p.mode == PadParam::Mode::kReflect && i >= 2) {
      MXS_CHECK(p.pad_width[2 * i] < s[i] && p.pad_width[2 * i + 1] < s[i])
          << "reflect padding (" << p.pad_width[2 * i] << ", " << p.pad_width[2 * i + 1]
          << ") must be smaller than axis " << i << " of size " << s[i];
    }
    if (p.mode == PadParam::Mode::kEdge && i >= 2 && s[i] == 0) {
      MXS_CHECK(p.pad_width[2 * i] == 0 && p.pad_width[2 * i + 1] == 0)
          << "edge padding needs a non-empty axis " << i;
    }
    o[i] += p.pad_width[2 * i] + p.pad_width[2 * i + 1];
  }
  out[0] = Shape(o);
}

// MXNet's Pad refuses integer tensors ("only support floating point types").
void InferType(const PadParam&, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeSame(in, out);
  MXS_CHECK(in[0] == DType::kUnknown || IsFloatingPoint(in[0]))
      << "only floating-point inputs are supported, got " << DTypeName(in[0]);
}

}  // namespace

MXS_REGISTER_OPS(pad) {
  r.Add("Pad").Aliases({"pad", "_npx_pad"}).Param<PadParam>().NumInputs(1).InferShape(InferShape).InferType(InferType);
}

}  // namespace mxserve
