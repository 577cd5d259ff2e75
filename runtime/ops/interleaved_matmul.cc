// SPDX-License-Identifier: Apache-2.0
// Interleaved attention products. With L the sequence length, B the batch and E = heads *
// head_dim, the self-attention input is (L, B, 3E) where each head's query, key and value sit
// next to each other; qk gives (B * heads, L, L) scores scaled by 1/sqrt(head_dim), valatt the
// (L, B, E) context. The enc-dec forms take queries (Lq, B, E) and keys/values (Lk, B, 2E).
#include "ops/interleaved_matmul.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

InterleavedMatMulParam InterleavedMatMulParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  InterleavedMatMulParam p;
  p.heads = r.Int("heads");
  MXS_CHECK(p.heads >= 1) << "heads must be at least 1, got " << p.heads;
  r.Finish();
  return p;
}

DivSqrtDimParam DivSqrtDimParam::Parse(const AttrMap& attrs) {
  AttrReader(attrs).Finish();
  return {};
}

namespace {

void Check3D(const Shape& s, const char* what) {
  MXS_CHECK(s.known() && s.ndim() == 3) << what << " must be 3-D (seq_length, batch, projection), got "
                                        << s.ToString();
}

void CheckProjection(int64_t dim, int64_t parts, int64_t heads, const char* what) {
  MXS_CHECK(dim % (parts * heads) == 0) << what << " has " << dim << " features, not a multiple of " << parts
                                        << " x heads (" << heads << ")";
}

void InferSelfQK(const InterleavedMatMulParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  Check3D(in[0], "queries_keys_values");
  CheckProjection(in[0][2], 3, p.heads, "queries_keys_values");
  out[0] = Shape{p.heads * in[0][1], in[0][0], in[0][0]};
}

void InferSelfValAtt(const InterleavedMatMulParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& qkv = in[0];
  Check3D(qkv, "queries_keys_values");
  CheckProjection(qkv[2], 3, p.heads, "queries_keys_values");
  Shape att{p.heads * qkv[1], qkv[0], qkv[0]};
  MXS_CHECK(!in[1].known() || in[1] == att) << "attention has shape " << in[1].ToString() << ", expected "
                                            << att.ToString();
  in[1] = att;
  out[0] = Shape{qkv[0], qkv[1], qkv[2] / 3};
}

void InferEncDecQK(const InterleavedMatMulParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape &q = in[0], &kv = in[1];
  Check3D(q, "queries");
  Check3D(kv, "keys_values");
  CheckProjection(q[2], 1, p.heads, "queries");
  MXS_CHECK(kv[2] == 2 * q[2]) << "keys_values must have twice the features of queries, got " << q.ToString()
                               << " and " << kv.ToString();
  MXS_CHECK(kv[1] == q[1]) << "queries and keys_values must have the same batch size, got " << q.ToString()
                           << " and " << kv.ToString();
  out[0] = Shape{p.heads * q[1], q[0], kv[0]};
}

void InferEncDecValAtt(const InterleavedMatMulParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape &kv = in[0], &att = in[1];
  Check3D(kv, "keys_values");
  CheckProjection(kv[2], 2, p.heads, "keys_values");
  MXS_CHECK(att.known() && att.ndim() == 3) << "attention must be 3-D, got " << att.ToString();
  MXS_CHECK(att[2] == kv[0]) << "attention's last dim " << att[2] << " must be the keys' length " << kv[0];
  MXS_CHECK(att[0] == kv[1] * p.heads) << "attention's first dim " << att[0] << " must be batch x heads ("
                                       << kv[1] * p.heads << ")";
  out[0] = Shape{att[1], kv[1], kv[2] / 2};
}

void InferDivSqrtDim(const DivSqrtDimParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known() && in[0].ndim() >= 1) << "data shape is unknown or a scalar";
  out[0] = in[0];
}

void InferFloat(const InterleavedMatMulParam&, std::vector<DType>& in, std::vector<DType>& out) {
  InferTypeSame(in, out);
}

}  // namespace

MXS_REGISTER_OPS(interleaved_matmul) {
  r.Add("_contrib_interleaved_matmul_selfatt_qk")
      .Aliases({"_npx_interleaved_matmul_selfatt_qk"})
      .Param<InterleavedMatMulParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"queries_keys_values"})
      .InferShape(InferSelfQK)
      .InferType(InferFloat);
  r.Add("_contrib_interleaved_matmul_selfatt_valatt")
      .Aliases({"_npx_interleaved_matmul_selfatt_valatt"})
      .Param<InterleavedMatMulParam>()
      .NumInputs(2)
      .InputNames({"queries_keys_values", "attention"})
      .InferShape(InferSelfValAtt)
      .InferType(InferFloat);
  r.Add("_contrib_interleaved_matmul_encdec_qk")
      .Aliases({"_npx_interleaved_matmul_encdec_qk"})
      .Param<InterleavedMatMulParam>()
      .NumInputs(2)
      .InputNames({"queries", "keys_values"})
      .InferShape(InferEncDecQK)
      .InferType(InferFloat);
  r.Add("_contrib_interleaved_matmul_encdec_valatt")
      .Aliases({"_npx_interleaved_matmul_encdec_valatt"})
      .Param<InterleavedMatMulParam>()
      .NumInputs(2)
      .InputNames({"keys_values", "attention"})
      .InferShape(InferEncDecValAtt)
      .InferType(InferFloat);
  r.Add("_contrib_div_sqrt_dim")
      .Param<DivSqrtDimParam>()
      .NumInputs(1)
      .InferShape(InferDivSqrtDim)
      .Inplace({{0, 0}});
}

}  // namespace mxserve
