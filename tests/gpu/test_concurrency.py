# SPDX-License-Identifier: Apache-2.0
"""One GPU predictor called from 8 threads at once gives exactly the results of sequential
calls (each call has its own execution context: stream, handles, arena)."""

from __future__ import annotations

import pathlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import mxserve
from gpu import zoo
from gpu.conftest import needs_gpu

pytestmark = needs_gpu


def test_eight_threads_match_sequential(tmp_path: pathlib.Path) -> None:
    name = "resnet18_v1"
    if name not in zoo.available():
        pytest.skip(f"no symbol JSON for {name} in {zoo.ZOO_DIR}")
    prefix = zoo.make_params(name, tmp_path)
    p = mxserve.Predictor.load(prefix, 0, input_shapes={"data": (2, 3, 224, 224)}, device="cuda:0")
    inputs = [zoo.make_input(name, 2, seed=s) for s in range(16)]
    sequential = [p(data=x)[0] for x in inputs]
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(lambda x: p(data=x)[0], inputs))
    for i, (a, b) in enumerate(zip(sequential, concurrent)):
        np.testing.assert_array_equal(a, b, err_msg=f"input {i}")
    # Different inputs give different outputs (the comparison above can fail).
    assert not np.array_equal(sequential[0], sequential[1])


def test_info_reports_device_memory(tmp_path: pathlib.Path) -> None:
    name = "mobilenet0.25"
    if name not in zoo.available():
        pytest.skip(f"no symbol JSON for {name} in {zoo.ZOO_DIR}")
    prefix = zoo.make_params(name, tmp_path)
    p = mxserve.Predictor.load(prefix, 0, input_shapes={"data": (1, 3, 224, 224)}, device="cuda:0")
    info = p.info()
    assert info["device"].startswith("cuda")
    assert info["device_weight_bytes"] > 0
    assert info["activation_bytes"] > 0


@pytest.mark.parametrize(("dtype", "most"), [("float32", 1.05), ("float16", 0.6)])
def test_weights_are_not_kept_twice(tmp_path: pathlib.Path, dtype: str, most: float) -> None:
    # resnet18_v1's convolutions hold their weights with the BatchNorm folded in (float16 in
    # float16 mode); the parameters as stored are then left off the device.
    name = "resnet18_v1"
    if name not in zoo.available():
        pytest.skip(f"no symbol JSON for {name} in {zoo.ZOO_DIR}")
    prefix = zoo.make_params(name, tmp_path)
    stored = sum(v.nbytes for v in mxserve.nd.load(f"{prefix}-0000.params").values())
    p = mxserve.Predictor.load(
        prefix, 0, input_shapes={"data": (1, 3, 224, 224)}, device="cuda:0", dtype=dtype
    )
    on_device = p.info()["device_weight_bytes"]
    print(f"{name} {dtype}: {on_device} bytes of weights on the device, {stored} stored")
    assert 0 < on_device <= most * stored


def test_real_mxnet_export_on_gpu() -> None:
    """A model exported by MXNet 1.9.1 with MXNet's own outputs (carried to the GPU machine)."""
    real = zoo.REAL_DIR / "mobilenet0.25"
    if not (real / "io.npz").exists():
        pytest.skip(f"no real export in {real} (benchmarks/gpu/prepare.sh)")
    with np.load(real / "io.npz") as f:
        io = {k: f[k] for k in f.files}
    p = mxserve.Predictor.load(
        real / "model", 0, input_shapes={"data": io["x4"].shape}, device="cuda:0"
    )
    (got,) = p(data=io["x4"])
    np.testing.assert_allclose(got, io["y4"], rtol=1e-3, atol=1e-4)


def test_cuda_rejects_missing_device() -> None:
    count = int(mxserve._runtime.cuda_device_count())
    with pytest.raises(mxserve.MXServeError, match=str(count)):
        mxserve.Predictor(
            '{"nodes": [{"op": "null", "name": "data", "inputs": []}], "arg_nodes": [0], '
            '"heads": [[0, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}',
            None,
            input_shapes={"data": (1,)},
            device=f"cuda:{count}",
        )
