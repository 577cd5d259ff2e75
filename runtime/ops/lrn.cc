// SPDX-License-Identifier: Apache-2.0
// LRN across channels: out = x / (knorm + alpha / nsize * sum of x^2 over nsize neighbouring
// channels)^beta, for NCHW data. MXNet declares a second, hidden output
// (the normaliser) that inference does not need.
#include "ops/lrn.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

LRNParam LRNParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  LRNParam p;
  p.alpha = static_cast<float>(r.Float("alpha", 1e-4));
  p.beta = static_cast<float>(r.Float("beta", 0.75));
  p.knorm = static_cast<float>(r.Float("knorm", 2.0));
  p.nsize = r.Int("nsize");
  MXS_CHECK(p.nsize > 0) << "nsize must be positive, got " << p.nsize;
  r.Finish();
  return p;
}

namespace {

void InferShape(const LRNParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  // MXNet's LRN reads data as a 4-D tensor and rejects other ranks.
  MXS_CHECK(in[0].known() && in[0].ndim() == 4) << "data must be 4-D (N, C, H, W), got " << in[0].ToString();
  out[0] = in[0];
}

}  // namespace

MXS_REGISTER_OPS(lrn) { r.Add("LRN").Param<LRNParam>().NumInputs(1).InferShape(InferShape); }

}  // namespace mxserve
