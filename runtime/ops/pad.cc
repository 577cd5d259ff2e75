// SPDX-License-Identifier: Apache-2.0
// Pad: as in MXNet, only 4-D and 5-D floating-point inputs, no padding of the first two axes,
// pad_width of length 2 * ndim, and reflect padding narrower than the padded axis (MXNet checks
// H and W only; a wider reflection of a 5-D input's last axis is refused here as well).
// _npi_pad: one (before, after) pair per axis, any axis, any width; the index rules of each
// mode are NumpyPadParam::Source.
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

// "((1, 2), (3, 4))" or "[[1, 2], [3, 4]]": a tuple of integer tuples.
std::vector<std::vector<int64_t>> ParseNestedTuple(const char* key, const std::string& text) {
  std::vector<std::vector<int64_t>> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(' || c == '[') {
      if (++depth == 2) start = i;
      MXS_CHECK(depth <= 2) << "attribute '" << key << "': cannot parse '" << text << "'";
    } else if (c == ')' || c == ']') {
      if (depth-- == 2)
        out.push_back(AttrReader::ParseTuple(key, text.substr(start, i - start + 1)));
      MXS_CHECK(depth >= 0) << "attribute '" << key << "': cannot parse '" << text << "'";
    }
  }
  MXS_CHECK(depth == 0) << "attribute '" << key << "': cannot parse '" << text << "'";
  return out;
}

void InferShape(const PadParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  const Shape& s = in[0];
  MXS_CHECK(s.ndim() == 4 || s.ndim() == 5)
      << "only 4-D and 5-D inputs are supported, got " << s.ToString();
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

void InferNumpyShape(const NumpyPadParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the input shape is unknown";
  const Shape& s = in[0];
  MXS_CHECK_CODE(s.ndim() >= 2, kUnsupported)
      << "inputs of fewer than 2 axes are not supported, got " << s.ToString();
  MXS_CHECK(static_cast<int>(p.pad_width.size()) == s.ndim())
      << "pad_width has " << p.pad_width.size() << " (before, after) pairs, expected one per axis ("
      << s.ndim() << ")";
  std::vector<int64_t> o = s.dims();
  for (int i = 0; i < s.ndim(); ++i) {
    const bool pads = p.pad_width[i][0] > 0 || p.pad_width[i][1] > 0;
    MXS_CHECK(!pads || s[i] > 0 || p.mode == NumpyPadParam::Mode::kConstant)
        << "axis " << i << " is empty and can only be padded in constant mode";
    o[i] += p.pad_width[i][0] + p.pad_width[i][1];
  }
  out[0] = Shape(o);
}

}  // namespace

NumpyPadParam NumpyPadParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyPadParam p;
  const std::string mode = r.Enum(
      "mode", "constant", {"constant", "edge", "reflect", "symmetric", "maximum", "minimum"});
  const std::string modes[] = {"constant", "edge", "reflect", "symmetric", "maximum", "minimum"};
  for (int i = 0; i < 6; ++i)
    if (mode == modes[i]) p.mode = static_cast<Mode>(i);
  p.pad_width = ParseNestedTuple("pad_width", r.String("pad_width"));
  p.constant_values = r.Float("constant_values", 0.0);
  // MXNet's kernels implement only the 'even' reflection whatever reflect_type says.
  r.Enum("reflect_type", "even", {"even", "odd"});
  r.Finish();
  for (const auto& w : p.pad_width) {
    MXS_CHECK(w.size() == 2) << "each pad_width entry must be a (before, after) pair";
    MXS_CHECK(w[0] >= 0 && w[1] >= 0) << "pad_width must not be negative";
  }
  return p;
}

int64_t NumpyPadParam::Source(int64_t j, int64_t n, int64_t before) const {
  const int64_t k = j - before;
  if (k >= 0 && k < n) return k;
  switch (mode) {
    case Mode::kConstant:
    case Mode::kMaximum:
    case Mode::kMinimum:
      return -1;
    case Mode::kEdge:
      return k < 0 ? 0 : n - 1;
    case Mode::kSymmetric: {
      // Mirror including the border, repeating with period 2n (MXNet symmetric_pad).
      const int64_t d = k < 0 ? -k : k - n + 1;
      const int64_t round = (d - 1) / n;
      int64_t pos = d % n;
      if (pos == 0) pos = n;
      const bool near = round % 2 == 0;
      return (k < 0) == near ? pos - 1 : n - pos;
    }
    case Mode::kReflect: {
      // Mirror without repeating the border (MXNet reflect_pad, including its index arithmetic).
      if (n == 1) return 0;
      const int64_t d = k < 0 ? -k : k - n + 1;
      const int64_t round = (d - 1) / (n - 1);
      const int64_t pos = (d + round) % n;
      const bool near = round % 2 == 0;
      return (k < 0) == near ? pos : n - 1 - pos;
    }
  }
  return -1;
}

MXS_REGISTER_OPS(pad) {
  r.Add("Pad")
      .Aliases({"pad", "_npx_pad"})
      .Param<PadParam>()
      .NumInputs(1)
      .InferShape(InferShape)
      .InferType(InferType);
  r.Add("_npi_pad").Param<NumpyPadParam>().NumInputs(1).InferShape(InferNumpyShape);
}

}  // namespace mxserve
