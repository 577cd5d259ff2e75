# SPDX-License-Identifier: Apache-2.0
"""Float16 networks (MXNet 1.9.1 Gluon, net.cast('float16')): a float16 resnet18_v1 and a
float16 MLP (Dense, BatchNorm with its float32 statistics, Activation, Dropout, softmax and
element-wise ops) load and match MXNet within float16 precision (rtol 1e-2), at batch 1 and 2.

mxserve runs a float16 graph in float32 (exec/float16.cc) and returns float16 outputs. MXNet has
no CPU float16 Convolution / FullyConnected, so its reference here is the exported float16
network computed by MXNet in float32 (tests/oracle/mx_float16.py); the operators MXNet does run
in float16 on CPU are compared against its float16 results in tests/ops/test_dtypes.py.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil

import numpy as np
import pytest
from oracle.envs import CACHE, publish, run_in_oracle
from oracle.gluon import run_c_api

import mxserve

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "oracle" / "mx_float16.py"


def exported_float16(name: str) -> pathlib.Path:
    digest = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]
    out = CACHE / "float16" / digest / name
    if not (out / "io.npz").exists():
        tmp = out.parent / f"{name}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run_in_oracle("1.9.1", SCRIPT, str(tmp), name)
        publish(tmp / name, out, "io.npz")
        shutil.rmtree(tmp, ignore_errors=True)
    return out


@pytest.mark.parametrize("name", ["resnet18_v1", "mlp"])
def test_float16_model(name: str) -> None:
    d = exported_float16(name)
    with np.load(d / "io.npz") as f:
        io = {k: f[k] for k in f.files}
    p1 = mxserve.Predictor.load(
        d / "model", 0, input_shapes={"data": io["x1"].shape}, dtypes={"data": "float16"}
    )
    p2 = p1.reshape({"data": io["x2"].shape})
    for b, p in ((1, p1), (2, p2)):
        (got,) = p(data=io[f"x{b}"])
        want = io[f"y{b}"]
        assert got.dtype == np.float16 and got.shape == want.shape
        np.testing.assert_allclose(
            got.astype(np.float32),
            want.astype(np.float32),
            rtol=1e-2,
            atol=1e-2,
            err_msg=f"{name} batch {b}",
        )


def test_float16_model_runs_float32_kernels() -> None:
    d = exported_float16("mlp")
    p = mxserve.Predictor.load(
        d / "model", 0, input_shapes={"data": (1, 48)}, dtypes={"data": "float16"}
    )
    names = [k for k, _ in p.info()["kernels"]]
    # A Cast in (float16 -> float32) and one out (float32 -> float16), which takes the name of
    # the output node it follows.
    assert names[0] == "data_float32"
    assert names.count("data_float32") == 1
    assert names[-1] == names[-2]


@pytest.mark.parametrize("name", ["resnet18_v1", "mlp"])
def test_float16_model_through_the_c_api(name: str) -> None:
    """The C API binds the float16 input from MXPredCreateEx's type flags (2 = float16) and
    returns float16 outputs matching MXNet's."""
    d = exported_float16(name)
    with np.load(d / "io.npz") as f:
        x, want = f["x2"], f["y2"]
    (got,) = run_c_api(d, {"data": x}, 1)
    assert got.dtype == np.float16 and got.shape == want.shape
    np.testing.assert_allclose(
        got.astype(np.float32), want.astype(np.float32), rtol=1e-2, atol=1e-2, err_msg=name
    )
