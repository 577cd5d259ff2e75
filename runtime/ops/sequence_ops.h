// SPDX-License-Identifier: Apache-2.0
// SequenceMask, SequenceLast and SequenceReverse (MXNet src/operator/sequence_mask-inl.h,
// sequence_last-inl.h, sequence_reverse-inl.h): data is (seq, batch, ...) for axis 0 or
// (batch, seq, ...) for axis 1, with an optional (batch,) vector of valid lengths.
#pragma once

#include "graph/graph.h"

namespace mxserve {

struct SequenceParam {
  bool use_sequence_length = false;  ///< a second input holds the length of each sequence
  double value = 0.0;                ///< SequenceMask: the value written past each length
  int axis = 0;                      ///< the sequence axis: 0 or 1 (SequenceReverse: 0 only)

  static SequenceParam ParseMask(const AttrMap& attrs);
  static SequenceParam ParseLast(const AttrMap& attrs);
  static SequenceParam ParseReverse(const AttrMap& attrs);
};

/// SequenceMask's parameters.
struct SequenceMaskParam : SequenceParam {
  static SequenceMaskParam Parse(const AttrMap& attrs) { return {ParseMask(attrs)}; }
};
/// SequenceLast's parameters.
struct SequenceLastParam : SequenceParam {
  static SequenceLastParam Parse(const AttrMap& attrs) { return {ParseLast(attrs)}; }
};
/// SequenceReverse's parameters.
struct SequenceReverseParam : SequenceParam {
  static SequenceReverseParam Parse(const AttrMap& attrs) { return {ParseReverse(attrs)}; }
};

}  // namespace mxserve
