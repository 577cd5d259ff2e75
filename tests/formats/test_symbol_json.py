# SPDX-License-Identifier: Apache-2.0
"""Symbol JSON written by MXNet 0.8 (param/attr keys, bare hidden keys, inputs added by the
0.8 -> 0.9 upgrade) and MXNet 2.0 (is_np_shape): mxserve matches MXNet 1.9.1 on each fixture."""

from __future__ import annotations

import json

import numpy as np
import pytest
from oracle.envs import run_in_oracle

import mxserve
from formats import _util as u

rng = np.random.default_rng(0)
FIXTURES = {
    "v0_8_fc_relu": {
        "data": rng.standard_normal((2, 3)).astype(np.float32),
        "fc1_weight": rng.standard_normal((4, 3)).astype(np.float32),
        "fc1_bias": rng.standard_normal((4,)).astype(np.float32),  # added by the upgrade
    },
    "v0_8_conv": {
        "data": rng.standard_normal((1, 2, 5, 5)).astype(np.float32),
        "conv1_weight": rng.standard_normal((2, 2, 3, 3)).astype(np.float32),
        "conv1_bias": rng.standard_normal((2,)).astype(np.float32),
    },
    "v2_0_fc_relu": {
        "data": rng.standard_normal((2, 3)).astype(np.float32),
        "fc1_weight": rng.standard_normal((4, 3)).astype(np.float32),
        "fc1_bias": rng.standard_normal((4,)).astype(np.float32),
    },
}


@pytest.fixture(scope="module")
def mxnet_outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("symbols")
    spec = []
    for name, arrays in FIXTURES.items():
        np.savez(d / f"{name}.npz", **arrays)
        spec.append(
            {
                "symbol": str(u.DATA / f"{name}-symbol.json"),
                "arrays": str(d / f"{name}.npz"),
                "out": str(d / f"{name}.out.npz"),
            }
        )
    (d / "spec.json").write_text(json.dumps(spec))
    run_in_oracle("1.9.1", u.HERE / "mx_symbols.py", str(d / "spec.json"))
    return d


def predictor(name: str) -> mxserve.Predictor:
    arrays = FIXTURES[name]
    params = {f"arg:{k}": v for k, v in arrays.items() if k != "data"}
    import io

    buf = io.BytesIO()
    np.savez(buf, **params)
    return mxserve.Predictor(
        u.DATA / f"{name}-symbol.json", buf.getvalue(), input_shapes={"data": arrays["data"].shape}
    )


@pytest.mark.parametrize("name", list(FIXTURES))
def test_fixture_matches_mxnet(mxnet_outputs, name):
    got = predictor(name)(data=FIXTURES[name]["data"])
    with np.load(mxnet_outputs / f"{name}.out.npz") as f:
        want = [f[f"out_{i}"] for i in range(len(f.files))]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_v0_8_upgrade_adds_missing_bias_variable():
    model = mxserve._runtime.load_model((u.DATA / "v0_8_fc_relu-symbol.json").read_bytes(), b"")
    assert "fc1_bias" in model.variable_names
    assert model.mxnet_version == 800


def test_v0_8_without_the_added_parameter_names_it():
    arrays = FIXTURES["v0_8_fc_relu"]
    with pytest.raises(mxserve.InvalidArgumentError, match="fc1_bias"):
        mxserve.Predictor(
            u.DATA / "v0_8_fc_relu-symbol.json",
            _params({"arg:fc1_weight": arrays["fc1_weight"]}),
            input_shapes={"data": (2, 3)},
        )


def test_v2_0_graph_attributes():
    model = mxserve._runtime.load_model((u.DATA / "v2_0_fc_relu-symbol.json").read_bytes(), b"")
    assert model.mxnet_version == 20000


def test_attrs_take_precedence_over_param():
    # nnvm's reader inserts "param" after reading "attr(s)", so an attribute in both keeps the
    # "attr" value whatever the key order.
    sym = json.loads((u.DATA / "v0_8_fc_relu-symbol.json").read_text())
    fc = sym["nodes"][2]
    fc["attr"]["num_hidden"] = "4"
    fc["param"] = {"num_hidden": "5", "no_bias": "False"}
    arrays = FIXTURES["v0_8_fc_relu"]
    params = {f"arg:{k}": v for k, v in arrays.items() if k != "data"}
    for order in (["attr", "param"], ["param", "attr"]):
        node = {k: fc[k] for k in ["op", "name", "inputs", *order]}
        sym["nodes"][2] = node
        p = mxserve.Predictor(json.dumps(sym), _params(params), input_shapes={"data": (2, 3)})
        assert p.output_shapes == [(2, 4)]


def _params(arrays: dict[str, np.ndarray]) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()
