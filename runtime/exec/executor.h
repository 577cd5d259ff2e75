// SPDX-License-Identifier: Apache-2.0
// Executor: runs a Plan. It owns a pool of execution contexts (activation arena, scratchpad,
// backend stream, per-kernel state); each Run() borrows one, so concurrent calls never share
// mutable memory while the Plan, its kernels and the weights stay shared.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "exec/plan.h"

namespace mxserve {

struct ExecContext;

class Executor {
 public:
  Executor(std::unique_ptr<Plan> plan, int num_threads);
  ~Executor();
  const Plan& plan() const { return *plan_; }
  int num_threads() const { return num_threads_; }
  void Run(const void* const* inputs, void* const* outputs, const MonitorFn* monitor) const;

 private:
  std::unique_ptr<ExecContext> Acquire() const;
  void Release(std::unique_ptr<ExecContext> ctx) const;

  std::unique_ptr<Plan> plan_;
  int num_threads_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<ExecContext>> pool_;
};

/// Intra-op threads to use when the caller asks for 0: MXSERVE_NUM_THREADS if set, else the
/// number of available processors.
int DefaultNumThreads();

}  // namespace mxserve
