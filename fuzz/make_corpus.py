# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of the fuzz targets (one folder per target) from real exports: the
digits network of model_store/ (trained and exported by MXNet), the MXNet-written symbols of
tests/formats/data, the MLP of the C API tests, one-node graphs of common operators, the
MXNet-written parameter files of the oracle cache when MXSERVE_ORACLE_CACHE is set, and KServe v2
request bodies made by tritonclient.

    python fuzz/make_corpus.py [OUT]        # default OUT: build/fuzz-corpus
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import struct
import sys
import tempfile
import zipfile

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from c_api import _capi  # noqa: E402
from ops._harness import one_node_symbol  # noqa: E402

from mxserve import nd  # noqa: E402

DIGITS = REPO / "model_store" / "digits_mlp"

#: Every target and what its inputs are.
TARGETS = {
    "pred_create": "C API: batch byte, u16 feature count, u32 symbol length, symbol, params",
    "ndlist": "C API: a params file",
    "ndarray_file": "C++: a params file (0x112 list, .npz or .npy) for the reader alone",
    "symbol": "Python: a symbol JSON",
    "params": "Python: a params file (0x112 list, .npz or .npy)",
    "npz": "Python: an .npz archive",
    "v2_json": "server: a KServe v2 JSON request body",
    "v2_binary": "server: u16 header length, then a v2 body with binary tensors",
    "mar": "server: a .mar archive",
}

#: One-node graphs (op, attrs) whose input is "data" of shape (batch, features).
ONE_NODE = [
    ("Activation", {"act_type": "relu"}),
    ("softmax", {"axis": "-1"}),
    ("Reshape", {"shape": "(-1, 2, 0)"}),
    ("transpose", {"axes": "(1, 0)"}),
    ("slice_axis", {"axis": "1", "begin": "0", "end": "2"}),
    ("sum", {"axis": "1", "keepdims": "True"}),
    ("expand_dims", {"axis": "1"}),
    ("LeakyReLU", {"act_type": "leaky", "slope": "0.1"}),
    ("clip", {"a_min": "-1", "a_max": "1"}),
    ("_plus_scalar", {"scalar": "1.5"}),
    ("Flatten", {}),
    ("L2Normalization", {"mode": "instance"}),
]


def _symbols() -> dict[str, bytes]:
    out = {"digits": (DIGITS / "1" / "model-symbol.json").read_bytes()}
    out["mlp"] = _capi.mlp_symbol().encode()
    for p in sorted((REPO / "tests" / "formats" / "data").glob("*-symbol.json")):
        out[p.stem] = p.read_bytes()
    for op, attrs in ONE_NODE:
        out[f"one_{op}"] = one_node_symbol(op, attrs).encode()
    return out


def _params() -> dict[str, bytes]:
    out = {"digits": (DIGITS / "1" / "model-0000.params").read_bytes()}
    with tempfile.TemporaryDirectory() as tmp:
        arrays = _capi.write_mlp(pathlib.Path(tmp))
        out["mlp"] = (pathlib.Path(tmp) / "mlp-0000.params").read_bytes()
        p = pathlib.Path(tmp) / "dtypes.params"
        nd.save(
            p,
            {
                "arg:f64": np.arange(6, dtype=np.float64).reshape(2, 3),
                "arg:f16": np.ones(4, np.float16),
                "aux:i64": np.arange(3, dtype=np.int64),
                "u8": np.arange(5, dtype=np.uint8),
            },
        )
        out["dtypes"] = p.read_bytes()
        p = pathlib.Path(tmp) / "list.params"
        nd.save(p, [arrays["x"], np.arange(3, dtype=np.int32)])
        out["unnamed"] = p.read_bytes()
    cache = os.environ.get("MXSERVE_ORACLE_CACHE")
    if cache:  # files MXNet itself wrote: legacy, V1-V3 headers, sparse, 2.0 archives
        for p in sorted(pathlib.Path(cache, "formats").glob("*/*.params")):
            if p.stat().st_size <= 64 << 10:
                out[f"mx_{p.parent.name[:12]}_{p.stem}"] = p.read_bytes()
    return out


def _npz() -> dict[str, bytes]:
    out = {"digits_test": (DIGITS / "test_digits.npz").read_bytes()}
    for name, compress in (("plain", np.savez), ("deflated", np.savez_compressed)):
        buf = io.BytesIO()
        compress(buf, w=np.ones((2, 3), np.float32), b=np.arange(3, dtype=np.int64))
        out[name] = buf.getvalue()
    buf = io.BytesIO()
    np.save(buf, np.arange(12, dtype=np.float32).reshape(3, 4))
    out["npy"] = buf.getvalue()
    return out


def _requests() -> tuple[dict[str, bytes], dict[str, bytes]]:
    import tritonclient.http as http

    json_bodies: dict[str, bytes] = {}
    binary_bodies: dict[str, bytes] = {}
    x = np.linspace(-1, 1, 2 * 64, dtype=np.float32).reshape(2, 64)
    cases = {
        "fp32": [("data", x, "FP32")],
        "int64": [("ids", np.arange(6, dtype=np.int64).reshape(1, 6), "INT64")],
        "two": [("a", x[:1], "FP32"), ("b", np.ones((1, 3), np.float16), "FP16")],
        "bool": [("m", np.array([[True, False]]), "BOOL")],
    }
    for name, tensors in cases.items():
        for binary in (False, True):
            inputs = []
            for n, a, dt in tensors:
                i = http.InferInput(n, list(a.shape), dt)
                i.set_data_from_numpy(a, binary_data=binary)
                inputs.append(i)
            outputs = [http.InferRequestedOutput("out", binary_data=binary)]
            body, json_size = http.InferenceServerClient.generate_request_body(
                inputs, outputs=outputs, request_id=name, priority=1, timeout=1000
            )
            if binary:
                binary_bodies[name] = struct.pack("<H", json_size) + body
            else:
                json_bodies[name] = body
    return json_bodies, binary_bodies


def _mar(symbol: bytes, params: bytes) -> dict[str, bytes]:
    out = {}
    manifest = {
        "runtime": "python",
        "model": {"modelName": "digits", "handler": "service:handle", "modelVersion": "1.0"},
        "modelServerVersion": "1.0",
    }
    for name, sig in (
        ("plain", None),
        ("signature", {"inputs": [{"data_name": "data", "data_shape": [0, 64]}]}),
    ):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("MAR-INF/MANIFEST.json", json.dumps(manifest))
            if sig is not None:
                z.writestr("signature.json", json.dumps(sig))
            z.writestr("digits-symbol.json", symbol)
            z.writestr("digits-0000.params", params)
        out[name] = buf.getvalue()
    return out


def pred_create_input(batch: int, features: int, symbol: bytes, params: bytes) -> bytes:
    """One input of fuzz_pred_create (the layout fuzz/fuzz_pred_create.cc reads)."""
    return struct.pack("<BHI", batch - 1, features - 1, len(symbol)) + symbol + params


def make(out: pathlib.Path) -> dict[str, int]:
    """Writes every corpus under `out`; returns the number of seeds per target."""
    symbols, params = _symbols(), _params()
    json_bodies, binary_bodies = _requests()
    corpora: dict[str, dict[str, bytes]] = {
        "symbol": symbols,
        "params": {**params, **_npz()},
        "npz": _npz(),
        "ndlist": params,
        "ndarray_file": {**params, **_npz()},
        "v2_json": json_bodies,
        "v2_binary": binary_bodies,
        "mar": _mar(symbols["digits"], params["digits"]),
        "pred_create": {
            "digits": pred_create_input(2, 64, symbols["digits"], params["digits"]),
            "mlp": pred_create_input(4, 20, symbols["mlp"], params["mlp"]),
            **{
                k: pred_create_input(2, 6, v, b"")
                for k, v in symbols.items()
                if k.startswith("one_")
            },
        },
    }
    counts = {}
    for target, seeds in corpora.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (folder / f"seed_{name}").write_bytes(data)
        counts[target] = len(seeds)
    return counts


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build" / "fuzz-corpus"
    for target, n in make(out).items():
        print(f"{target}: {n} seeds in {out / target}")


if __name__ == "__main__":
    main()
