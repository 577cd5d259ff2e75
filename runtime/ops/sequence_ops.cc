// SPDX-License-Identifier: Apache-2.0
// Sequence operators. SequenceMask and SequenceReverse keep the data's shape; SequenceLast drops
// the sequence axis. The lengths input defaults to the data's dtype, as MXNet infers it.
#include "ops/sequence_ops.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

SequenceParam ParseCommon(AttrReader& r, bool has_value, bool axis1_ok) {
  SequenceParam p;
  p.use_sequence_length = r.Bool("use_sequence_length", false);
  if (has_value) p.value = r.Float("value", 0.0);
  p.axis = static_cast<int>(r.Int("axis", 0));
  r.Finish();
  if (axis1_ok) {
    MXS_CHECK(p.axis == 0 || p.axis == 1) << "axis must be 0 or 1, got " << p.axis;
  } else {
    MXS_CHECK(p.axis == 0) << "axis must be 0, got " << p.axis;
  }
  return p;
}

void CheckData(const SequenceParam& p, std::vector<Shape>& in) {
  MXS_CHECK(in[0].known() && in[0].ndim() >= 2) << "data must have at least 2 dimensions, got "
                                                << in[0].ToString();
  if (p.use_sequence_length) {
    Shape len{in[0][p.axis == 0 ? 1 : 0]};
    MXS_CHECK(!in[1].known() || in[1] == len) << "sequence_length has shape " << in[1].ToString()
                                              << ", expected " << len.ToString();
    in[1] = len;
  }
}

template <typename P>
void InferSame(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  CheckData(p, in);
  out[0] = in[0];
}

void InferLast(const SequenceLastParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  CheckData(p, in);
  std::vector<int64_t> o = in[0].dims();
  o.erase(o.begin() + p.axis);
  out[0] = Shape(o);
}

template <typename P>
void InferType(const P& p, std::vector<DType>& in, std::vector<DType>& out) {
  if (in[0] == DType::kUnknown) return;
  if (p.use_sequence_length && in[1] == DType::kUnknown) in[1] = in[0];
  out[0] = in[0];
}

template <typename P>
OpDef& Add(OpRegistry& r, const char* name, const char* alias) {
  return r.Add(name)
      .Aliases({alias})
      .template Param<P>()
      .template NumInputs<P>([](const P& p) { return p.use_sequence_length ? 2 : 1; })
      .template InputNames<P>([](const P& p) {
        return p.use_sequence_length ? std::vector<std::string>{"data", "sequence_length"}
                                     : std::vector<std::string>{"data"};
      })
      .InferType(InferType<P>);
}

}  // namespace

SequenceParam SequenceParam::ParseMask(const AttrMap& attrs) {
  AttrReader r(attrs);
  return ParseCommon(r, true, true);
}

SequenceParam SequenceParam::ParseLast(const AttrMap& attrs) {
  AttrReader r(attrs);
  return ParseCommon(r, false, true);
}

SequenceParam SequenceParam::ParseReverse(const AttrMap& attrs) {
  AttrReader r(attrs);
  return ParseCommon(r, false, false);
}

MXS_REGISTER_OPS(sequence_ops) {
  Add<SequenceMaskParam>(r, "SequenceMask", "_npx_sequence_mask")
      .InferShape(InferSame<SequenceMaskParam>)
      .Inplace({{0, 0}});
  Add<SequenceLastParam>(r, "SequenceLast", "_npx_sequence_last").InferShape(InferLast);
  Add<SequenceReverseParam>(r, "SequenceReverse", "_npx_sequence_reverse").InferShape(InferSame<SequenceReverseParam>);
}

}  // namespace mxserve
