// SPDX-License-Identifier: Apache-2.0
// Identity operators: at inference each output holds exactly the bytes of its input, so they are
// registered with .Identity() and the planner aliases the output to the input; no kernel runs.
#include "ops/identity_ops.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

DropoutParam DropoutParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  DropoutParam p;
  p.p = r.Float("p", 0.5);
  MXS_CHECK(p.p >= 0.0 && p.p <= 1.0) << "attribute 'p': " << p.p << " is outside [0, 1]";
  p.mode = r.Enum("mode", "training", {"training", "always"});
  p.axes = r.Tuple("axes", {});
  // cuDNN selection only matters for the random mask on GPU.
  r.Ignore({"cudnn_off"});
  r.Finish();
  // "always" draws a random mask even at inference: results would not be reproducible, and the
  // identity would be wrong, so such graphs are refused instead of silently changed.
  MXS_CHECK_CODE(p.mode != "always" || p.p == 0.0, kUnsupported)
      << "Dropout with mode='always' and p=" << p.p
      << " is random at inference; only mode='training' (or p=0) is supported";
  return p;
}

MakeLossParam MakeLossParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  MakeLossParam p;
  p.grad_scale = r.Float("grad_scale", 1.0);
  p.valid_thresh = r.Float("valid_thresh", 0.0);
  p.normalization = r.Enum("normalization", "null", {"null", "batch", "valid"});
  r.Finish();
  return p;
}

NoAttrParam NoAttrParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return {};
}

namespace {

template <typename P>
void InferShapeSame(const P&, std::vector<Shape>& in, std::vector<Shape>& out) {
  if (!out[0].known()) out[0] = in[0];
  if (!in[0].known()) in[0] = out[0];
}

void AddPlainIdentity(OpRegistry& r, const std::string& name, std::vector<std::string> aliases) {
  r.Add(name)
      .Aliases(std::move(aliases))
      .Param<NoAttrParam>()
      .NumInputs(1)
      .InferShape(InferShapeSame<NoAttrParam>)
      .Identity();
}

}  // namespace

MXS_REGISTER_OPS(identity_ops) {
  r.Add("Dropout")
      .Aliases({"_npx_dropout"})
      .Param<DropoutParam>()
      .NumInputs(1)
      .InferShape(InferShapeSame<DropoutParam>)
      .Identity();
  // _copy and BlockGrad copy their input; the copy is unobservable at inference, so they alias.
  AddPlainIdentity(r, "_copy", {"identity"});
  AddPlainIdentity(r, "BlockGrad", {"stop_gradient", "_npx_stop_gradient"});
  AddPlainIdentity(r, "make_loss", {});
  // MXNet 1.x registers the numpy copy as _np_copy, MXNet 2.0 as _npi_copy.
  AddPlainIdentity(r, "_np_copy", {"_npi_copy"});
  r.Add("MakeLoss")
      .Param<MakeLossParam>()
      .NumInputs(1)
      .InferShape(InferShapeSame<MakeLossParam>)
      .Identity();
}

}  // namespace mxserve
