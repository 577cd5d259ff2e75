#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prepares .gpu-carry/ (ignored by git) for benchmarks/gpu/run_device_check.sh on a GPU machine
# that has no package registry and no MXNet:
#   wheels/  the Python packages mxserve needs that the machine lacks (onednn, nlohmann-json for
#            the build there, the server's FastAPI stack and orjson), for its Python (default
#            3.12)
#   zoo/     symbol JSONs and parameter shapes of the 34 gluon.model_zoo.vision networks,
#            exported by MXNet 1.9.1 (no weights: tests/gpu/zoo.py makes them there)
#   real/    one small real export with MXNet's own outputs (mobilenet0.25)
#   ops.tar.xz  every oracle case of tests/ops with MXNet's inputs and outputs (tests/gpu/op_cases.py)
#   families/   GluonCV / GluonNLP networks of tests/models (tests/gpu/families.py)
#   zlib/    zlib.h and zconf.h, for a build there on a machine without them
# Run from the repository root with the .venv of the build (MXSERVE_ORACLE_CACHE as for tests).
set -euo pipefail
PYVER=${MXSERVE_DEVICE_PYTHON:-3.12}
CARRY=.gpu-carry
mkdir -p "$CARRY/wheels" "$CARRY/zoo" "$CARRY/real" "$CARRY/zlib"
# zlib's two headers, for a GPU machine that has libz.so.1 but not its development files.
cp /usr/include/zlib.h /usr/include/zconf.h "$CARRY/zlib/"

python3 -m pip download -q --no-deps --only-binary=:all: --python-version "$PYVER" \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$CARRY/wheels" \
  onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0 nlohmann-json==3.12.0 \
  fastapi==0.165.0 starlette==1.10.0 uvicorn==0.54.0 pydantic==2.14.4 pydantic-core==2.50.5 \
  annotated-types==0.8.0 typing-inspection==0.4.5 typing-extensions==4.16.0 httptools==0.9.0 \
  opentelemetry-api==1.45.2 orjson==3.13.0

names=$(.venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from oracle.models import ZOO; print(' '.join(ZOO))")
missing=""
for n in $names; do [ -f "$CARRY/zoo/$n-symbol.json" ] || missing="$missing $n"; done
if [ -n "$missing" ]; then
  py=$(.venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from oracle.envs import oracle_python; print(oracle_python('1.9.1'))")
  OMP_NUM_THREADS=1 MXNET_ENGINE_TYPE=NaiveEngine "$py" tests/oracle/mx_zoo_symbols.py "$CARRY/zoo" $missing
fi

real=$(.venv/bin/python -c "import sys; sys.path.insert(0, 'tests'); from oracle.models import exported_model; print(exported_model('1.9.1', 'mobilenet0.25'))")
mkdir -p "$CARRY/real/mobilenet0.25"
cp "$real"/model-symbol.json "$real"/model-0000.params "$real"/io.npz "$CARRY/real/mobilenet0.25/"
.venv/bin/python tests/gpu/op_cases.py "$CARRY/ops.tar.xz"
rm -rf "$CARRY/families"
.venv/bin/python tests/gpu/families.py "$CARRY/families"
du -sh "$CARRY"
