// SPDX-License-Identifier: Apache-2.0
// shape_array gives a 1-D int64 tensor with one entry per input axis, size_array a (1,) int64
// tensor with the number of elements. Only the input's shape is read, never its data.
#include "ops/shape_array.h"

#include <vector>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

void InferShapeShape(const ShapeArrayParam&, std::vector<Shape>& in, std::vector<Shape>& out) {
  out[0] = Shape({static_cast<int64_t>(in[0].ndim())});
}

void InferShapeSize(const ShapeArrayParam&, std::vector<Shape>&, std::vector<Shape>& out) {
  out[0] = Shape({1});
}

void InferTypeInt64(const ShapeArrayParam&, std::vector<DType>&, std::vector<DType>& out) {
  MXS_CHECK(out[0] == DType::kUnknown || out[0] == DType::kInt64)
      << "output dtype " << DTypeName(out[0]) << " is not int64";
  out[0] = DType::kInt64;
}

}  // namespace

ShapeArrayParam ShapeArrayParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  r.Finish();
  return ShapeArrayParam{};
}

MXS_REGISTER_OPS(shape_array) {
  r.Add("shape_array")
      .Aliases({"_npx_shape_array"})
      .Param<ShapeArrayParam>()
      .NumInputs(1)
      .InferShape(InferShapeShape)
      .InferType(InferTypeInt64);
  r.Add("size_array")
      .Param<ShapeArrayParam>()
      .NumInputs(1)
      .InferShape(InferShapeSize)
      .InferType(InferTypeInt64);
}

}  // namespace mxserve
