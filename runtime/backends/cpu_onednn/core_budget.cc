// SPDX-License-Identifier: Apache-2.0
#include "backends/cpu_onednn/core_budget.h"

#include <omp.h>

#include <algorithm>

namespace mxserve {
namespace cpu {

CoreBudget& CoreBudget::Global() {
  static CoreBudget budget(omp_get_num_procs());
  return budget;
}

CoreBudget::CoreBudget(int total) : total_(std::max(1, total)), free_(total_) {}

int CoreBudget::Acquire(int want) {
  std::unique_lock<std::mutex> lock(mu_);
  want = std::max(1, std::min(want, total_));
  cv_.wait(lock, [&] { return free_ >= want; });
  free_ -= want;
  return want;
}

void CoreBudget::Release(int n) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_ += n;
  }
  cv_.notify_all();
}

}  // namespace cpu
}  // namespace mxserve
