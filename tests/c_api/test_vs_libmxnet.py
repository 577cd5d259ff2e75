# SPDX-License-Identifier: Apache-2.0
"""The C API against MXNet 1.9.1's own libmxnet.so: the same C calls (ctypes_predict.py) on
model-zoo exports. libmxnet.so runs in the oracle environment, never in the test process."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from oracle.envs import run_in_oracle
from oracle.models import ZOO, exported_model

from c_api import ctypes_predict
from mxserve import predict_api

HERE = pathlib.Path(__file__).resolve().parent


QUICK = ["resnet18_v1", "mobilenetv2_0.25", "checkpoint_mlp"]


@pytest.mark.parametrize("name", QUICK)
def test_outputs_equal_libmxnet(name: str, tmp_path: pathlib.Path) -> None:
    check_against_libmxnet(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in ZOO if n not in QUICK])
def test_outputs_equal_libmxnet_full_zoo(name: str, tmp_path: pathlib.Path) -> None:
    check_against_libmxnet(name, tmp_path)


def check_against_libmxnet(name: str, tmp_path: pathlib.Path) -> None:
    model = exported_model("1.9.1", name)
    theirs_path = tmp_path / "libmxnet.npz"
    run_in_oracle("1.9.1", HERE / "ctypes_predict.py", "mxnet", str(model), str(theirs_path))
    with np.load(theirs_path) as f:
        theirs = dict(f)
    ours = ctypes_predict.run_model(str(predict_api.library_path()), str(model))
    assert "y4_reshaped" in ours
    for key in ("y1", "y4", "y4_reshaped", "y4_partial"):
        if key not in theirs:
            assert (
                name == "checkpoint_mlp" and key == "y4_reshaped"
            )  # MXNet refuses: the label changes
            continue
        assert ours[key].shape == theirs[key].shape
        np.testing.assert_allclose(
            ours[key], theirs[key], rtol=1e-3, atol=1e-4, err_msg=f"{name} {key}"
        )
    # Both agree with the outputs MXNet's Python API recorded at export.
    with np.load(model / "io.npz") as io:
        np.testing.assert_allclose(ours["y4"], io["y4"], rtol=1e-3, atol=1e-4)
    # MXNet 1.9.1 counts partial-forward steps after its MKLDNN fusion: at most our count.
    assert 0 < int(theirs["steps"]) <= int(ours["steps"])
