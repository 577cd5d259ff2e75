#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs GPU tests within a time budget and goes on past a test that breaks the CUDA context.
#   usage: gpu_tests.sh SECONDS LOG TEST_PATH...
# pytest's output is appended to LOG, a summary printed. A fault that leaves the context
# unusable (an illegal address...) stops pytest after the test that met it, and a crash ends it
# there (tests/gpu/conftest.py records each test's start and end in $MXSERVE_GPU_PROGRESS): that
# test is run alone once more under MXSERVE_DEBUG_SYNC=1 (the error then names the node whose
# kernel failed), then in compute-sanitizer's memcheck where the machine has it and time is
# left, and the tests go on in a fresh process after it, at most 6 rounds. MXSERVE_GPU_PYTEST_ROOT and
# MXSERVE_GPU_PYTEST_CONFIG (default: this repository and its pyproject.toml) say where pytest
# runs; PYTHON the interpreter.
set -u -o pipefail
budget=$1 log=$2
shift 2
REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=${MXSERVE_GPU_PYTEST_ROOT:-$REPO}
PY=${PYTHON:-python3}
export MXSERVE_GPU_PROGRESS=${MXSERVE_GPU_PROGRESS:-/tmp/gpu-progress.txt}
rm -f "$MXSERVE_GPU_PROGRESS"
PYTEST=("$PY" -m pytest -c "${MXSERVE_GPU_PYTEST_CONFIG:-$ROOT/pyproject.toml}" --rootdir "$ROOT"
  -p no:cacheprovider -v -s -rfEs)
sanitizer=$(command -v compute-sanitizer || true)
t0=$(date +%s)
left() { echo $(( budget - ($(date +%s) - t0) )); }
for round in 1 2 3 4 5 6; do
  [ "$(left)" -gt 20 ] || { echo "no time left for round $round"; break; }
  echo "round $round: $(left) s left for the tests"
  seen=$(cat "$MXSERVE_GPU_PROGRESS" 2>/dev/null | wc -l)
  (cd /tmp && MXSERVE_GPU_RESUME=$(( round > 1 )) timeout -k 10 "$(left)" "${PYTEST[@]}" "$@") \
    >>"$log" 2>&1
  rc=$?
  echo "round $round: pytest exit $rc: $(tail -1 "$log")"
  [ "$rc" -eq 124 ] || [ ! -f "$MXSERVE_GPU_PROGRESS" ] && break
  broken=$(cd /tmp && "$PY" -c "import sys; sys.path.insert(0, sys.argv[1]); from gpu.conftest \
import broken_test; print(broken_test(sys.argv[2], int(sys.argv[3])))" "$REPO/tests" \
    "$MXSERVE_GPU_PROGRESS" "$seen")
  [ -n "$broken" ] || break
  echo "round $round broke the CUDA context in $broken: run alone under MXSERVE_DEBUG_SYNC=1"
  # First alone and synchronous (fast: the error names the node), then in memcheck if time is
  # left and the machine's compute-sanitizer takes the device.
  for tool in "" ${sanitizer:+"$sanitizer"}; do
    diag_s=$(( $(left) - 20 ))
    [ "$diag_s" -gt 120 ] && diag_s=120
    [ "$diag_s" -gt 15 ] || break
    (cd /tmp && MXSERVE_GPU_PROGRESS= MXSERVE_DEBUG_SYNC=1 MXSERVE_CUDA_GRAPHS=0 \
      CUDA_LAUNCH_BLOCKING=1 timeout -k 10 "$diag_s" \
      ${tool:+"$tool" --tool memcheck --print-limit 8} "${PYTEST[@]}" -x "$ROOT/$broken") \
      >/tmp/gpu-diagnosis.log 2>&1
    echo "diagnosis exit $? (${tool:-no sanitizer})"
    grep -E "node '|Invalid (__global__|__shared__|__local__)|Address 0x|by thread|^=+ +at |^E +.*Error|not supported" \
      /tmp/gpu-diagnosis.log | head -30
    { echo "===== diagnosis of $broken (${tool:-no sanitizer})"; cat /tmp/gpu-diagnosis.log
      echo "===== end"; } >>"$log"
  done
done
