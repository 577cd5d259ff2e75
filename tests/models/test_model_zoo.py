# SPDX-License-Identifier: Apache-2.0
"""Whole models exported by real MXNet (1.9.1 and 2.0.0b1) against MXNet's own outputs, at
batch 1 and batch 4, within rtol 1e-3 / atol 1e-4.

The default run covers a representative subset of every family; `pytest -m slow` runs all 34
architectures of gluon.model_zoo.vision.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracle.models import ZOO, exported_model

import mxserve

QUICK = [
    "resnet18_v1",
    "resnet18_v2",
    "mobilenet0.25",
    "mobilenetv2_0.25",
    "squeezenet1.1",
    "densenet121",
]
QUICK_MX2 = ["resnet18_v1", "mobilenetv2_0.25"]


def check_model(version: str, name: str) -> None:
    d = exported_model(version, name)
    with np.load(d / "io.npz") as f:
        io = {k: f[k] for k in f.files}
    p1 = mxserve.Predictor.load(d / "model", 0, input_shapes={"data": io["x1"].shape})
    p4 = p1.reshape({"data": io["x4"].shape})
    for b, p in ((1, p1), (4, p4)):
        (got,) = p(data=io[f"x{b}"])
        want = io[f"y{b}"]
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4, err_msg=f"{name} batch {b}")


@pytest.mark.parametrize("name", QUICK)
def test_zoo_mxnet19(name: str) -> None:
    check_model("1.9.1", name)


@pytest.mark.parametrize("name", QUICK_MX2)
def test_zoo_mxnet20(name: str) -> None:
    check_model("2.0.0b1", name)


def test_checkpoint_with_softmax_output() -> None:
    check_model("1.9.1", "checkpoint_mlp")


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in ZOO if n not in QUICK])
def test_zoo_mxnet19_full(name: str) -> None:
    check_model("1.9.1", name)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in ZOO if n not in QUICK_MX2])
def test_zoo_mxnet20_full(name: str) -> None:
    check_model("2.0.0b1", name)
