// SPDX-License-Identifier: Apache-2.0
// Embedding: output shape is the index shape plus output_dim; the output has the weight's dtype,
// the indices may be any numeric dtype (floats are truncated towards zero, as MXNet casts them).
// sparse_grad only changes the gradient's storage and is ignored.
#include "ops/embedding.h"

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

EmbeddingParam EmbeddingParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  EmbeddingParam p;
  p.input_dim = r.Int("input_dim");
  p.output_dim = r.Int("output_dim");
  MXS_CHECK(p.input_dim >= 1) << "input_dim must be at least 1, got " << p.input_dim;
  MXS_CHECK(p.output_dim >= 1) << "output_dim must be at least 1, got " << p.output_dim;
  std::string dtype = r.String("dtype", "float32");
  p.dtype = DTypeFromName(dtype);
  MXS_CHECK(p.dtype != DType::kUnknown) << "unknown dtype '" << dtype << "'";
  r.Bool("sparse_grad", false);
  r.Finish();
  return p;
}

namespace {

void InferShape(const EmbeddingParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  MXS_CHECK(in[0].known()) << "the shape of the indices is unknown";
  Shape w{p.input_dim, p.output_dim};
  MXS_CHECK(!in[1].known() || in[1] == w)
      << "weight has shape " << in[1].ToString() << ", expected " << w.ToString();
  in[1] = w;
  std::vector<int64_t> o = in[0].dims();
  o.push_back(p.output_dim);
  out[0] = Shape(o);
}

void InferType(const EmbeddingParam& p, std::vector<DType>& in, std::vector<DType>& out) {
  MXS_CHECK(in[0] != DType::kBool && in[0] != DType::kBfloat16)
      << "indices must be integer or floating point numbers, got " << DTypeName(in[0]);
  DType t = in[1] != DType::kUnknown ? in[1] : out[0] != DType::kUnknown ? out[0] : p.dtype;
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == t)
      << "weight has dtype " << DTypeName(t) << " but the output " << DTypeName(out[0]);
  in[1] = t;
  out[0] = t;
}

}  // namespace

MXS_REGISTER_OPS(embedding) {
  r.Add("Embedding")
      .Aliases({"_npx_embedding"})
      .Param<EmbeddingParam>()
      .NumInputs(2)
      .InputNames({"data", "weight"})
      .InferShape(InferShape)
      .InferType(InferType);
}

}  // namespace mxserve
