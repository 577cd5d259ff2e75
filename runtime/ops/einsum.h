// SPDX-License-Identifier: Apache-2.0
// _npi_einsum: numpy.einsum (MXNet 2.0 src/operator/numpy/np_einsum_op.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/host_device.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

struct EinsumParam {
  int num_args = 1;        ///< number of operands, at least 1
  std::string subscripts;  ///< "ij,jk->ik"; implicit output and "..." allowed
  int optimize = 0;        ///< contraction-order search in MXNet; the result does not depend on it

  static EinsumParam Parse(const AttrMap& attrs);
};

/// The subscripts resolved against the operand shapes. Labels are numbered: letters 0..51, the
/// axes an ellipsis stands for 52 and up.
struct EinsumSpec {
  std::vector<std::vector<int>> labels;  ///< per operand, the label of each axis
  std::vector<int> out_labels;           ///< label of each output axis
  std::vector<int64_t> label_size;       ///< size of each label (broadcast over size-1 axes)
  Shape out;                             ///< output shape
};

/// Parses `p.subscripts` for operands of `shapes`; throws kInvalidArgument on malformed
/// subscripts, wrong operand ranks or mismatched sizes.
EinsumSpec MakeEinsumSpec(const EinsumParam& p, const std::vector<Shape>& shapes);

/// Element strides of each label in an operand of `shape` labelled `labels`: 0 for labels it
/// lacks and for its size-1 axes broadcast against a larger label size; a repeated label (a
/// diagonal) adds its strides.
std::vector<int64_t> EinsumLabelStrides(const Shape& shape, const std::vector<int>& labels,
                                        const std::vector<int64_t>& label_size);

/// The einsum as a strided loop, for every backend: output element o (row-major over out_dims)
/// is the sum, over every index s of the row-major space sum_dims (the labels missing from the
/// output), of the product over the operands i of operand_i[EinsumOffset(...)].
struct EinsumLoopPlan {
  int num_in = 0;
  std::vector<int64_t> out_dims, sum_dims;  ///< output and summed label sizes
  /// Operand-major: operand i's stride of output dim d at i * out_dims.size() + d.
  std::vector<int64_t> out_strides;
  std::vector<int64_t> sum_strides;    ///< operand-major, likewise for the summed dims
  int64_t out_size = 0, sum_size = 0;  ///< elements of the output and summed spaces
};

EinsumLoopPlan MakeEinsumLoopPlan(const std::vector<Shape>& shapes, const EinsumSpec& spec);

/// Sum over k of the offsets index_k * strides[k], index_k being the row-major digits of `index`
/// over dims[0..n).
MXS_HOST_DEVICE inline int64_t EinsumOffset(int64_t index, int n, const int64_t* dims,
                                            const int64_t* strides) {
  int64_t off = 0;
  for (int d = n - 1; d >= 0; --d) {
    off += (index % dims[d]) * strides[d];
    index /= dims[d];
  }
  return off;
}

/// Output element o of the loop plan given by its arrays: products in double and summed in
/// double, `load(i, off)` reading element off of operand i as a float. At most kMax operands.
template <int kMax, typename Load>
MXS_HOST_DEVICE double EinsumElement(int64_t o, int num_in, int no, const int64_t* out_dims,
                                     const int64_t* out_strides, int ns, const int64_t* sum_dims,
                                     const int64_t* sum_strides, int64_t sum_size, Load load) {
  int64_t base[kMax];
  for (int i = 0; i < num_in; ++i) base[i] = EinsumOffset(o, no, out_dims, out_strides + i * no);
  double acc = 0;
  for (int64_t s = 0; s < sum_size; ++s) {
    double prod = 1;
    for (int i = 0; i < num_in; ++i)
      prod *= static_cast<double>(
          load(i, base[i] + EinsumOffset(s, ns, sum_dims, sum_strides + i * ns)));
    acc += prod;
  }
  return acc;
}

/// A two-operand einsum as a batched matrix product C = A B with every stride an element stride
/// of the operands as they lie: A (batch..., m, k), B (batch..., k, n), the output row-major
/// (batch..., m, n). Each of m, n, k is at most one label (size 1 when absent, stride 1).
struct EinsumMatmulPlan {
  std::vector<int64_t> batch_dims;        ///< the output's leading labels, in its order
  std::vector<int64_t> a_batch, b_batch;  ///< the operands' strides of those labels
  int64_t m = 1, n = 1, k = 1;
  int64_t a_m = 1, a_k = 1, b_k = 1, b_n = 1;  ///< the operands' strides of m, k and n
};

/// The matmul form of a two-operand einsum without diagonals, labels summed within one operand,
/// broadcast batch labels or other output orders (the attention contractions
/// 'bhqd,bhkd->bhqk' and 'bhqk,bhkd->bhqd'); false where there is none.
bool MakeEinsumMatmulPlan(const std::vector<Shape>& shapes, const EinsumSpec& spec,
                          EinsumMatmulPlan* plan);

}  // namespace mxserve
