#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The GPU check, run on the GPU machine from the repository root with .gpu-carry/ beside it
# (benchmarks/gpu/prepare.sh makes it here): installs the carried wheels with
# `pip install --no-index --no-deps`, installs mxserve with the CUDA backend (the carried mxserve
# wheel when one matches this Python, else built here from the checkout with nvcc), runs
# tests/gpu and benchmarks/bench_gpu.py, and writes $OUT/results.md with the logs beside it.
set -u -o pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CARRY=$REPO/.gpu-carry
OUT=${OUT:-$REPO/gpu-results}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MXSERVE_GPU_ZOO=$CARRY/zoo MXSERVE_GPU_REAL=$CARRY/real \
  MXSERVE_GPU_OPS=$CARRY/ops.tar.xz MXSERVE_GPU_FAMILIES=$CARRY/families MXSERVE_GPU_REPORT=$OUT
results=$OUT/results.md
step() { echo "## $1" | tee -a "$results"; }
t0=$(date +%s)
# The whole check ends within MXSERVE_GPU_CHECK_SECONDS (default 570 s);
# the tests get what the build leaves minus the benchmark's share.
budget=${MXSERVE_GPU_CHECK_SECONDS:-570}
left() { echo $(( budget - ($(date +%s) - t0) )); }

step "environment"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  $PY -c "import sys, torch; print('python', sys.version.split()[0], '| torch', torch.__version__, 'cuda', torch.version.cuda)"
  nvcc --version | tail -1
} 2>&1 | tee -a "$results"

step "install"
$PY -m pip install -q --no-index --no-deps --no-compile "$CARRY"/wheels/[!m]*.whl >"$OUT/install.log" 2>&1 ||
  { echo "dependency install failed" | tee -a "$results"; tail -20 "$OUT/install.log"; exit 1; }
tag=$($PY -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
wheel=$(ls "$CARRY"/wheels/mxserve-*-"$tag"-*.whl 2>/dev/null | head -1)
if [ -z "$wheel" ]; then
  echo "no carried mxserve wheel for $tag: building from the checkout" | tee -a "$results"
  # What the build takes from the machine, named before it starts; zlib's headers travel in case
  # the machine has only the library.
  zlib_args=()
  if [ ! -f /usr/include/zlib.h ]; then
    libz=$(ldconfig -p | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')
    zlib_args=(-Ccmake.define.ZLIB_INCLUDE_DIR="$CARRY/zlib" -Ccmake.define.ZLIB_LIBRARY="$libz")
    echo "no zlib headers here: building with the carried ones and ${libz:-no libz.so.1}" |
      tee -a "$results"
  fi
  $PY -c "import os, sysconfig; p = os.path.join(sysconfig.get_paths()['include'], 'Python.h'); print('Python.h', 'found' if os.path.exists(p) else 'MISSING at ' + p)" 2>&1 | tee -a "$results"
  $PY -m pip list 2>/dev/null | grep -iE "^(scikit-build-core|pybind11|cmake|ninja|nvidia-cudnn-cu13|nvidia-cublas|nvidia-cuda-runtime) " |
    tr -s ' ' | paste -sd ';' | tee -a "$results"
  export CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) CUDACXX=${CUDACXX:-$(command -v nvcc)}
  $PY -m pip wheel -q --no-index --no-deps --no-build-isolation -w /tmp/mxs-wheel \
    -Ccmake.define.MXSERVE_WITH_CUDA=ON -Cbuild-dir=/tmp/mxs-build "${zlib_args[@]}" "$REPO" \
    >>"$OUT/install.log" 2>&1 ||
    { echo "build failed" | tee -a "$results"; grep -E "error|Error" "$OUT/install.log" | head -40; exit 1; }
  wheel=$(ls /tmp/mxs-wheel/mxserve-*.whl | head -1)
fi
$PY -m pip install -q --no-index --no-deps --force-reinstall "$wheel" >>"$OUT/install.log" 2>&1 ||
  { echo "mxserve install failed" | tee -a "$results"; exit 1; }
(cd /tmp && $PY -c "import mxserve, mxserve._runtime as r; print('mxserve', mxserve.__file__, '| cuda:', r.cuda_unavailable_reason(0) or 'available')") 2>&1 | tee -a "$results"
(cd /tmp && $PY -c "import mxserve.server.app; print('ok')" 2>&1 | tail -1 | sed 's/^/server imports: /') | tee -a "$results"
echo "install took $(( $(date +%s) - t0 )) s" | tee -a "$results"

step "tests/gpu"
test_s=$(( $(left) - ${MXSERVE_GPU_BENCH_SECONDS:-150} ))
PYTHON=$PY bash "$REPO/benchmarks/gpu/gpu_tests.sh" "$test_s" "$OUT/gpu-tests.log" \
  "$REPO"/tests/gpu/test_{devices,concurrency,c_api,ops,server,zoo,families}.py | tee -a "$results"
grep -E "^(FAILED|ERROR)|max error|host fallback" "$OUT/gpu-tests.log" | head -120 | tee -a "$results"
[ -f "$OUT/op_cases.jsonl" ] && $PY - "$OUT/op_cases.jsonl" <<'PYEOF' | tee -a "$results"
import collections, json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
host = collections.Counter(op for r in rows for op in r["ops"] if r.get("host_fallback"))
print(f"oracle op cases: {len(rows)} run, {sum(bool(r.get('passed')) for r in rows)} passed, "
      f"{sum(r.get('host_fallback') == [] for r in rows)} entirely on CUDA kernels")
print("operators in cases with host fallback:", dict(host.most_common()))
PYEOF

step "benchmarks/bench_gpu.py"
(cd /tmp && timeout "$(( $(left) - 10 ))" $PY "$REPO/benchmarks/bench_gpu.py" \
  --iters 30 --warmup 5 --layouts both --json "$OUT/bench_gpu.json") >"$OUT/bench_gpu.log" 2>&1
echo "bench exit $?" | tee -a "$results"
tee -a "$results" <"$OUT/bench_gpu.log" | tail -15
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$results"
