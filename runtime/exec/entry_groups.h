// SPDX-License-Identifier: Apache-2.0
// EntryGroups: union-find over entries, for decisions that tied entries must share (a layout, a
// dtype). Used by exec/layout.cc and exec/precision.cc.
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

namespace mxserve {

class EntryGroups {
 public:
  explicit EntryGroups(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }

  /// Puts `a` and `b` in one group.
  void Tie(uint32_t a, uint32_t b) { parent_[Find(a)] = Find(b); }

  /// For each entry: ok[e] and ok for every other member of its group.
  std::vector<bool> AllOk(const std::vector<bool>& ok) {
    std::vector<bool> group_ok(parent_.size(), true);
    for (uint32_t e = 0; e < parent_.size(); ++e)
      if (!ok[e]) group_ok[Find(e)] = false;
    std::vector<bool> out(parent_.size());
    for (uint32_t e = 0; e < parent_.size(); ++e) out[e] = ok[e] && group_ok[Find(e)];
    return out;
  }

 private:
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  std::vector<uint32_t> parent_;  ///< union-find forest, path-halving
};

}  // namespace mxserve
