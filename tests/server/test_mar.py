# SPDX-License-Identifier: Apache-2.0
"""MMS ``.mar`` archives in the model store: the network is served, the handler never runs, and
a broken archive makes that one model unavailable with its reason."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mxserve.errors import InvalidArgumentError, NotFoundError
from mxserve.server.mar import read_mar
from server._serving import DIGITS, Server

SYMBOL = (DIGITS / "1" / "model-symbol.json").read_bytes()
PARAMS = (DIGITS / "1" / "model-0000.params").read_bytes()


def make_mar(
    path: Path,
    name: str = "digits_net",
    files: dict[str, bytes] | None = None,
    manifest: Any = None,
    signature: Any = None,
) -> Path:
    """An MMS 1.x style archive of the digits network (with a handler that must never run)."""
    if files is None:
        files = {f"{name}-symbol.json": SYMBOL, f"{name}-0000.params": PARAMS}
    if manifest is None:
        manifest = {
            "runtime": "python",
            "model": {"modelName": name, "handler": "service:handle", "modelVersion": "1.0"},
            "modelServerVersion": "1.0",
        }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("MAR-INF/MANIFEST.json", json.dumps(manifest))
        z.writestr("service.py", "raise SystemExit('the handler must never be imported')\n")
        z.writestr("synset.txt", "\n".join(str(i) for i in range(10)))
        if signature is not None:
            z.writestr("signature.json", json.dumps(signature))
        for n, data in files.items():
            z.writestr(n, data)
    return path


def test_read_mar_takes_the_network_and_the_signature(tmp_path: Path) -> None:
    sig = {
        "inputs": [{"data_name": "data", "data_shape": [0, 64]}],
        "input_type": "application/json",
    }
    mar = read_mar(make_mar(tmp_path / "d.mar", signature=sig))
    assert mar.name == "digits_net"
    assert mar.symbol.read_bytes() == SYMBOL and mar.params.read_bytes() == PARAMS
    assert mar.inputs is not None and [(t.name, t.dims) for t in mar.inputs] == [("data", [-1, 64])]
    assert sorted(p.name for p in mar.symbol.parent.iterdir()) == [
        "digits_net-0000.params",
        "digits_net-symbol.json",
    ]  # nothing else leaves the archive


@pytest.mark.parametrize(
    "kind, error, text",
    [
        ("not a zip", InvalidArgumentError, "not a valid .mar"),
        ("no manifest", InvalidArgumentError, "no MAR-INF/MANIFEST.json"),
        ("bad manifest", InvalidArgumentError, "modelName"),
        ("path in name", InvalidArgumentError, "modelName"),
        ("no params", NotFoundError, "no digits_net-NNNN.params"),
        ("bad signature", InvalidArgumentError, "data_shape"),
    ],
)
def test_read_mar_rejects_broken_archives(
    tmp_path: Path, kind: str, error: type, text: str
) -> None:
    p = tmp_path / "x.mar"
    if kind == "not a zip":
        p.write_bytes(b"PK\x03\x04 but not really a zip")
    elif kind == "no manifest":
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("digits_net-symbol.json", SYMBOL)
    elif kind == "bad manifest":
        make_mar(p, manifest={"model": {}})
    elif kind == "path in name":
        make_mar(p, manifest={"model": {"modelName": "../../etc/x"}})
    elif kind == "no params":
        make_mar(p, files={"digits_net-symbol.json": SYMBOL})
    else:
        make_mar(p, signature={"inputs": [{"data_name": "data", "data_shape": "64"}]})
    with pytest.raises(error, match=text):
        read_mar(p)


def test_server_serves_a_mar_next_to_a_broken_one(
    tmp_path: Path,
    serve: Callable[..., Server],
    digits: tuple[np.ndarray, np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    sig = {"inputs": [{"data_name": "data", "data_shape": [0, 64]}]}
    make_mar(store / "digits.mar", signature=sig)
    make_mar(store / "broken.mar", files={"broken-symbol.json": b"{"}, name="broken")
    s = serve(store)
    status, meta = s.json("GET", "/v2/models/digits")
    assert status == 200 and meta["inputs"] == [
        {"name": "data", "datatype": "FP32", "shape": [-1, 64]}
    ]
    x = digits[0][:3]
    status, out = s.json(
        "POST",
        "/v2/models/digits/infer",
        {
            "inputs": [
                {"name": "data", "shape": [3, 64], "datatype": "FP32", "data": x.ravel().tolist()}
            ]
        },
    )
    assert status == 200, out
    got = np.array(out["outputs"][0]["data"], np.float32).reshape(3, 10)
    np.testing.assert_allclose(got, reference(x), rtol=1e-5, atol=1e-6)
    status, index = s.json("POST", "/v2/repository/index", {})
    states = {r["name"]: r for r in index}
    assert states["digits"]["state"] == "READY"
    assert (
        states["broken"]["state"] == "UNAVAILABLE"
        and "no broken-NNNN.params" in states["broken"]["reason"]
    )
