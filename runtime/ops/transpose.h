// SPDX-License-Identifier: Apache-2.0
// Axis permutations: transpose, _np_transpose/_npi_transpose and SwapAxis (MXNet
// src/operator/tensor/matrix_op-inl.h, numpy/np_matrix_op-inl.h, swapaxis-inl.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

/// transpose (MXNet 1.x): empty axes reverse the axis order.
struct TransposeParam {
  std::vector<int64_t> axes;   ///< output axis i is input axis axes[i]; empty = reversed

  static TransposeParam Parse(const AttrMap& attrs);
  /// The permutation for an input of `ndim` axes; throws kInvalidArgument if axes is not one.
  std::vector<int> Permutation(int ndim) const;
};

/// _np_transpose / _npi_transpose: axes None reverses; negative axes count from the end.
struct NumpyTransposeParam {
  std::optional<std::vector<int64_t>> axes;   ///< output axis i is input axis axes[i]; None = reversed

  static NumpyTransposeParam Parse(const AttrMap& attrs);
  std::vector<int> Permutation(int ndim) const;
};

/// SwapAxis (swapaxes, _npi_swapaxes): exchanges two axes.
struct SwapAxisParam {
  int64_t dim1 = 0;   ///< first axis, may be negative
  int64_t dim2 = 0;   ///< second axis, may be negative

  static SwapAxisParam Parse(const AttrMap& attrs);
  std::vector<int> Permutation(int ndim) const;
};

/// The output of permuting `in` by `perm` (output axis i is input axis perm[i]) as a view of the
/// input.
StridedView PermutedView(const std::vector<int>& perm, const Shape& in);

}  // namespace mxserve
