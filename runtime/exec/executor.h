// SPDX-License-Identifier: Apache-2.0
// Executor: runs a Plan. It owns a pool of execution contexts (activation arena, scratchpad,
// backend stream, per-kernel state), all allocated through the plan's backend; each Run()
// borrows one, so concurrent calls never share mutable memory while the Plan, its kernels and
// the weights stay shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exec/plan.h"

namespace mxserve {

struct ExecContext;

class Executor {
 public:
  /// `num_threads` 0 means the backend's default (Backend::DefaultThreads).
  Executor(std::unique_ptr<Plan> plan, int num_threads);
  ~Executor();
  const Plan& plan() const { return *plan_; }
  int num_threads() const { return num_threads_; }
  /// Calls that replayed a recording (CUDA graphs) rather than running step by step.
  uint64_t replayed_calls() const { return replayed_calls_; }
  /// Why the first call that was to be recorded could not be; empty when none failed.
  std::string recording_error() const;
  /// Runs the plan on host `inputs`, writing host `outputs` (which must not overlap the inputs).
  void Run(const void* const* inputs, void* const* outputs, const MonitorFn* monitor) const;

 private:
  std::unique_ptr<ExecContext> Acquire() const;
  void Release(std::unique_ptr<ExecContext> ctx) const;
  /// Keeps the first recording failure and writes it to stderr.
  void NoteRecordingFailure(const Error& e) const;
  /// Shows `step`'s outputs to the monitor.
  void Report(const MonitorFn& monitor, const Step& step, const std::vector<void*>& ptr,
              Stream* stream) const;

  std::unique_ptr<Plan> plan_;
  int num_threads_;
  bool host_;  ///< the backend's memory is host memory
  bool sync_steps_;       ///< each step waits for its device work (MXSERVE_DEBUG_SYNC)
  bool records_ = false;  ///< calls are recorded and replayed (CUDA graphs)
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<ExecContext>> pool_;
  mutable std::atomic<uint64_t> replayed_calls_{0};
  mutable std::string recording_error_;  ///< guarded by mu_
};

}  // namespace mxserve
