// SPDX-License-Identifier: Apache-2.0
// Ordering and index-of-extremum operators (MXNet src/operator/tensor/ordering_op-inl.h TopKParam,
// SortParam, ArgSortParam; broadcast_reduce_op.h ReduceAxisParam; numpy/
// np_broadcast_reduce_op_index.cc): topk (_npx_topk), sort (_npi_sort), argsort (_npi_argsort),
// argmax, argmin, argmax_channel, _npi_argmax, _npi_argmin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/dtype.h"
#include "base/shape.h"
#include "graph/graph.h"

namespace mxserve {

/// How a sort along one axis walks memory: `outer` blocks of `n` elements with stride `inner`.
struct SortGeometry {
  int64_t outer = 1;  ///< product of the axes before the sorted one (1 when flattened)
  int64_t n = 0;      ///< size of the sorted axis (every element when flattened)
  int64_t inner = 1;  ///< product of the axes after it
  int64_t k = 0;      ///< elements kept per row
  Shape out;          ///< shape of the value / index outputs
};

/// topk, sort and argsort share MXNet's TopKImpl; sort and argsort are topk with k = all.
struct TopKParam {
  enum class Ret { kValue, kIndices, kMask, kBoth };
  std::optional<int64_t> axis = -1;  ///< sorted axis; None = the flattened input
  int64_t k = 1;                     ///< elements kept; <= 0 means all
  Ret ret_typ = Ret::kIndices;       ///< what the outputs are
  bool is_ascend = false;            ///< smallest first
  DType dtype = DType::kFloat32;     ///< dtype of the index output

  static TopKParam Parse(const AttrMap& attrs);
  SortGeometry Geometry(const Shape& in) const;
  int NumOutputs() const { return ret_typ == Ret::kBoth ? 2 : 1; }
};

/// sort: values only, ascending by default.
struct SortParam : TopKParam {
  static SortParam Parse(const AttrMap& attrs);
};

/// argsort: indices only, ascending by default, float32 indices by default.
struct ArgSortParam : TopKParam {
  static ArgSortParam Parse(const AttrMap& attrs);
};

/// argmax / argmin (legacy: indices in the input's dtype) and _npi_argmax / _npi_argmin
/// (numpy: int64 indices, axis None gives a scalar).
struct ArgExtremumParam {
  std::optional<int64_t> axis;  ///< searched axis; None = the flattened input
  bool keepdims = false;        ///< keep the searched axis with size 1
  bool numpy = false;           ///< numpy output shape and dtype

  static ArgExtremumParam Parse(const AttrMap& attrs);
  SortGeometry Geometry(const Shape& in) const;
};

/// argmax_channel: argmax on axis 1, no attributes.
struct ArgmaxChannelParam : ArgExtremumParam {
  static ArgmaxChannelParam Parse(const AttrMap& attrs);
};

/// _npi_argmax / _npi_argmin.
struct NumpyArgExtremumParam : ArgExtremumParam {
  static NumpyArgExtremumParam Parse(const AttrMap& attrs);
};

}  // namespace mxserve
