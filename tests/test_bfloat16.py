# SPDX-License-Identifier: Apache-2.0
"""bfloat16 mode: float32 in and out, bfloat16 inside, close to float32, refused without hardware."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from oracle.models import exported_model

import mxserve


@pytest.fixture(scope="module")
def resnet18():
    return exported_model("1.9.1", "resnet18_v1")


def _bf16_supported() -> bool:
    try:
        d = exported_model("1.9.1", "checkpoint_mlp")
        mxserve.Predictor.load(d / "model", 0, input_shapes={"data": (1, 20)}, dtype="bfloat16")
        return True
    except mxserve.UnsupportedError:
        return False


@pytest.mark.parametrize(
    "name", ["resnet18_v1", "mobilenetv2_0.25", "densenet121", "squeezenet1.1"]
)
def test_bfloat16_close_to_float32(name):
    if not _bf16_supported():
        pytest.skip("this CPU has neither AVX512-BF16 nor AMX")
    d = exported_model("1.9.1", name)
    with np.load(d / "io.npz") as f:
        x, want = f["x4"], f["y4"]
    p = mxserve.Predictor.load(d / "model", 0, input_shapes={"data": x.shape}, dtype="bfloat16")
    assert p.info()["dtype"] == "bfloat16"
    assert any("bf16" in impl for _, impl in p.info()["kernels"])
    (got,) = p(data=x)
    assert got.dtype == np.float32
    rel = np.abs(got - want).max() / np.abs(want).max()
    assert rel < 3e-2, f"bfloat16 max relative error {rel}"
    assert (got.argmax(axis=1) == want.argmax(axis=1)).mean() >= 0.75


def test_bfloat16_refused_without_hardware(resnet18, tmp_path):
    code = (
        "import mxserve, sys\n"
        f"try:\n    mxserve.Predictor.load({str(resnet18 / 'model')!r}, 0, input_shapes={{'data': (1, 3, 224, 224)}},"
        " dtype='bfloat16')\n"
        "except mxserve.UnsupportedError as e:\n    print(e); sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX512_CORE")
    # Run away from the checkout so that the subprocess imports the same mxserve as this test.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "AVX512-BF16 or AMX" in proc.stdout


def test_predictor_rejects_unknown_compute_dtype(resnet18):
    with pytest.raises(mxserve.InvalidArgumentError, match="dtype must be 'float32' or 'bfloat16'"):
        mxserve.Predictor.load(
            resnet18 / "model", 0, input_shapes={"data": (1, 3, 224, 224)}, dtype="float16"
        )
