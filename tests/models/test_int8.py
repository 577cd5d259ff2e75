# SPDX-License-Identifier: Apache-2.0
"""Model-zoo networks quantized by MXNet 1.9.1 itself (Gluon `quantize_net` and symbolic
`quantize_model_mkldnn`, calib naive and entropy) load through the Predictor and the C API and
match MXNet's int8 logits: within 1e-2 of the logits' scale (max |logit|) and the same top-1 on
at least 99% of the inputs.

The default run covers resnet18_v1 with naive calibration in both flows on the first 64 of the
256 recorded inputs; `pytest -m slow` runs every model, flow and calibration mode on all 256.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from oracle.gluon import run_c_api
from oracle.quantization import CALIB_MODES, FLOWS, MODELS, quantized_model

import mxserve

QUICK = [("resnet18_v1", "gluon", "naive"), ("resnet18_v1", "symbolic", "naive")]
ALL = [c for c in itertools.product(MODELS, FLOWS, CALIB_MODES) if c not in QUICK]
BATCH = 32


def assert_matches_mxnet(got: np.ndarray, want: np.ndarray, what: str) -> None:
    assert got.shape == want.shape, f"{what}: shape {got.shape}, MXNet {want.shape}"
    scale = float(np.abs(want).max())
    err = float(np.abs(got - want).max())
    assert err <= 1e-2 * scale, (
        f"{what}: max |diff| {err:.4g} exceeds 1e-2 of the logits' scale {scale:.4g}"
    )
    agree = float((got.argmax(1) == want.argmax(1)).mean())
    assert agree >= 0.99, f"{what}: top-1 agrees with MXNet on {agree:.1%} of the inputs"


def check_quantized(model: str, flow: str, calib: str, count: int) -> None:
    d = quantized_model(model, flow, calib)
    with np.load(d / "io.npz") as f:
        x, want = f["x"][:count], f["y"][:count]
    ops = json.loads((d / "meta.json").read_text())["ops"]
    assert "_contrib_quantize_v2" in ops, f"{model}: MXNet's graph is not quantized ({ops})"
    p = mxserve.Predictor.load(d / "model", 0, input_shapes={"data": (BATCH, *x.shape[1:])})
    got = np.concatenate([p(data=x[i : i + BATCH])[0] for i in range(0, count, BATCH)])
    what = f"{model} {flow} {calib}"
    assert_matches_mxnet(got, want, what)
    (c_out,) = run_c_api(d, {"data": x[:BATCH]}, 1)
    assert_matches_mxnet(c_out, want[:BATCH], what + " C API")


@pytest.mark.parametrize(("model", "flow", "calib"), QUICK)
def test_int8_mxnet_quantized(model: str, flow: str, calib: str) -> None:
    check_quantized(model, flow, calib, 64)


@pytest.mark.slow
@pytest.mark.parametrize(("model", "flow", "calib"), QUICK + ALL)
def test_int8_mxnet_quantized_full(model: str, flow: str, calib: str) -> None:
    check_quantized(model, flow, calib, 256)


def test_int8_rejects_uncalibrated_graph(tmp_path) -> None:
    """calib_mode='none' leaves ranges to run time: a clear error naming the node."""
    d = quantized_model("resnet18_v1", "gluon", "naive")
    sym = json.loads((d / "model-symbol.json").read_text())
    for n in sym["nodes"]:
        if n["op"] == "_contrib_quantize_v2":
            n["attrs"].pop("min_calib_range")
            n["attrs"].pop("max_calib_range")
    path = tmp_path / "uncalibrated-symbol.json"
    path.write_text(json.dumps(sym))
    with pytest.raises(mxserve.errors.UnsupportedError, match="data_quantize.*calib_mode"):
        mxserve.Predictor(
            path.read_text(), d / "model-0000.params", input_shapes={"data": (1, 3, 224, 224)}
        )
