// SPDX-License-Identifier: Apache-2.0
// CoreBudget: the cores handed out to running calls, process-wide. A call takes as many cores as
// it has intra-op threads (at most all of them) and waits while they are taken, so several
// threads calling predictors at once never run more OpenMP threads than there are cores.
#pragma once

#include <condition_variable>
#include <mutex>

namespace mxserve {
namespace cpu {

class CoreBudget {
 public:
  /// The budget of this process (all available processors).
  static CoreBudget& Global();
  /// Takes min(want, total) cores (at least 1), waiting until they are free; returns how many.
  int Acquire(int want);
  /// Gives back `n` cores taken by Acquire.
  void Release(int n);
  int total() const { return total_; }

 private:
  explicit CoreBudget(int total);
  std::mutex mu_;
  std::condition_variable cv_;
  int total_;
  int free_;
};

}  // namespace cpu
}  // namespace mxserve
