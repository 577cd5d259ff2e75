// SPDX-License-Identifier: Apache-2.0
// Axis permutations. Every operator here reduces to one permutation of the input axes, which the
// shape rule applies and the kernel executes (backends/cpu_onednn/transpose.cc).
#include "ops/transpose.h"

#include <utility>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

std::vector<int> Reversed(int ndim) {
  std::vector<int> perm(ndim);
  for (int i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
  return perm;
}

// Canonicalizes negative axes and checks that `axes` is a permutation of [0, ndim).
std::vector<int> CheckedPermutation(const std::vector<int64_t>& axes, int ndim) {
  MXS_CHECK(static_cast<int>(axes.size()) == ndim)
      << "axes has " << axes.size() << " entries but the input has " << ndim << " axes";
  std::vector<int> perm(ndim);
  std::vector<bool> seen(ndim, false);
  for (int i = 0; i < ndim; ++i) {
    const int a = NormalizeAxis(axes[i], ndim);
    MXS_CHECK(!seen[a]) << "axis " << axes[i] << " is repeated in axes";
    seen[a] = true;
    perm[i] = static_cast<int>(a);
  }
  return perm;
}

template <typename P>
void InferShape(const P& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& data = in[0];
  std::vector<int> perm = p.Permutation(data.ndim());
  std::vector<int64_t> o(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) o[i] = data[perm[i]];
  out[0] = Shape(o);
}

}  // namespace

TransposeParam TransposeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  TransposeParam p;
  // MXNet's default is an unknown shape, which older writers print as "None".
  p.axes = r.OptTuple("axes").value_or(std::vector<int64_t>{});
  r.Finish();
  return p;
}

StridedView PermutedView(const std::vector<int>& perm, const Shape& in) {
  const std::vector<int64_t> strides = RowMajorStrides(in.dims());
  StridedView v;
  for (int p : perm) {
    v.dims.push_back(in[p]);
    v.strides.push_back(strides[p]);
  }
  return v;
}

std::vector<int> TransposeParam::Permutation(int ndim) const {
  return axes.empty() ? Reversed(ndim) : CheckedPermutation(axes, ndim);
}

NumpyTransposeParam NumpyTransposeParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  NumpyTransposeParam p;
  p.axes = r.OptTuple("axes");
  r.Finish();
  return p;
}

std::vector<int> NumpyTransposeParam::Permutation(int ndim) const {
  return axes ? CheckedPermutation(*axes, ndim) : Reversed(ndim);
}

SwapAxisParam SwapAxisParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  SwapAxisParam p;
  p.dim1 = r.Int("dim1", 0);
  p.dim2 = r.Int("dim2", 0);
  r.Finish();
  return p;
}

std::vector<int> SwapAxisParam::Permutation(int ndim) const {
  int64_t a = dim1 < 0 ? dim1 + ndim : dim1;
  int64_t b = dim2 < 0 ? dim2 + ndim : dim2;
  MXS_CHECK(a >= 0 && a < ndim) << "dim1 " << dim1 << " is out of bounds for " << ndim << " axes";
  MXS_CHECK(b >= 0 && b < ndim) << "dim2 " << dim2 << " is out of bounds for " << ndim << " axes";
  std::vector<int> perm(ndim);
  for (int i = 0; i < ndim; ++i) perm[i] = i;
  std::swap(perm[a], perm[b]);
  return perm;
}

MXS_REGISTER_OPS(transpose) {
  r.Add("transpose").Param<TransposeParam>().NumInputs(1).InferShape(InferShape<TransposeParam>);
  // MXNet 1.x names the numpy transpose _np_transpose, MXNet 2.0 _npi_transpose.
  r.Add("_np_transpose")
      .Aliases({"_npi_transpose"})
      .Param<NumpyTransposeParam>()
      .NumInputs(1)
      .InputNames(std::vector<std::string>{"a"})
      .InferShape(InferShape<NumpyTransposeParam>);
  r.Add("SwapAxis")
      .Aliases({"swapaxes", "_npi_swapaxes"})
      .Param<SwapAxisParam>()
      .NumInputs(1)
      .InferShape(InferShape<SwapAxisParam>);
}

}  // namespace mxserve
