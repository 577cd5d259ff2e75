// SPDX-License-Identifier: Apache-2.0
// SliceChannel (split), _split_v2 (_npi_split, _npi_array_split), _npi_hsplit and _npi_dsplit:
// one input cut into several outputs along an axis (MXNet src/operator/slice_channel-inl.h
// SliceChannelParam, src/operator/tensor/matrix_op-inl.h SplitParam, GetSplitIndices,
// SplitOpShapeImpl, and src/operator/numpy/np_matrix_op.cc HSplitOpShape, DSplitOpShape).
#pragma once

#include <cstdint>
#include <vector>

#include "base/shape.h"
#include "graph/graph.h"
#include "ops/strided_view.h"

namespace mxserve {

/// Where each output of a split starts and how long it is on the split axis.
struct SplitLayout {
  int axis = 0;                ///< the split axis, normalized
  std::vector<int64_t> begin;  ///< first input index of each output on the axis
  std::vector<int64_t> size;   ///< length of each output on the axis
  std::vector<Shape> out;      ///< output shapes (axis removed when squeezed)

  /// Per output, its window of input `in` (the axis kept, of length size[k]).
  std::vector<StridedView> Views(const Shape& in) const;
};

/// SliceChannel: num_outputs equal parts.
struct SliceChannelParam {
  int num_outputs = 1;        ///< number of parts; must divide the axis
  int64_t axis = 1;           ///< the split axis, may be negative
  bool squeeze_axis = false;  ///< drop the axis (each part must then have length 1)

  static SliceChannelParam Parse(const AttrMap& attrs);
  SplitLayout Layout(const Shape& in) const;
};

/// _split_v2: boundaries `indices` (MXNet writes a leading 0), or `sections` near-equal parts.
struct SplitV2Param {
  std::vector<int64_t> indices;  ///< start of each output on the axis; used when sections == 0
  int64_t axis = 1;              ///< the split axis, may be negative
  bool squeeze_axis = false;     ///< drop the axis (each part must then have length 1)
  int64_t sections = 0;          ///< number of parts, the first (size % sections) one longer

  static SplitV2Param Parse(const AttrMap& attrs);
  int NumOutputs() const { return static_cast<int>(sections > 0 ? sections : indices.size()); }
  SplitLayout Layout(const Shape& in) const;
};

/// _npi_hsplit: _split_v2 on axis 1 (axis 0 of a 1-D input), whatever `axis` says.
struct HSplitParam : SplitV2Param {
  static HSplitParam Parse(const AttrMap& attrs);
  SplitLayout Layout(const Shape& in) const;
};

/// _npi_dsplit: _split_v2 on axis 2 of an input of at least 3 axes, whatever `axis` says.
struct DSplitParam : SplitV2Param {
  static DSplitParam Parse(const AttrMap& attrs);
  SplitLayout Layout(const Shape& in) const;
};

}  // namespace mxserve
