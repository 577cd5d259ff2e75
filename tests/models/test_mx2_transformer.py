# SPDX-License-Identifier: Apache-2.0
"""A transformer encoder block written with MXNet 2.0.0b1 Gluon (Dense, LayerNorm, Dropout,
np.einsum / np.matmul attention, npx.softmax with per-row lengths, GELU), hybridized and
exported by tests/oracle/mx2_transformer.py, against MXNet's outputs at batch 1 and 2 within
rtol 1e-3 / atol 1e-4."""

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

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "oracle" / "mx2_transformer.py"


def exported_block() -> pathlib.Path:
    digest = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]
    out = CACHE / "mx2_transformer" / digest
    if not (out / "io.npz").exists():
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run_in_oracle("2.0.0b1", SCRIPT, str(tmp))
        publish(tmp, out, "io.npz")
    return out


@pytest.mark.parametrize("batch", [1, 2])
def test_mx2_transformer_block(batch: int) -> None:
    d = exported_block()
    with np.load(d / "io.npz") as f:
        io = {k: f[k] for k in f.files}
    x, length = io[f"x{batch}"], io[f"len{batch}"]
    p = mxserve.Predictor.load(
        d / "model",
        0,
        input_shapes={"data0": x.shape, "data1": length.shape},
        dtypes={"data0": "float32", "data1": "int32"},
    )
    (got,) = p(data0=x, data1=length)
    want = io[f"y{batch}"]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4, err_msg=f"batch {batch}")


def test_mx2_transformer_block_through_the_c_api() -> None:
    """The MXNet 2.0 export (numpy operators, an int32 length input) through MXPredCreateEx."""
    d = exported_block()
    with np.load(d / "io.npz") as f:
        x, length, want = f["x2"], f["len2"], f["y2"]
    (got,) = run_c_api(d, {"data0": x, "data1": length}, 1)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
