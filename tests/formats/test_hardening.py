# SPDX-License-Identifier: Apache-2.0
"""Hostile files through the Python API and the C API: deep nesting, shape arithmetic that
overflows, and corrupt symbol/params files all end in an MXServeError, never a crash."""

from __future__ import annotations

import ctypes
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mxserve
from mxserve import predict_api

ROOT = Path(__file__).resolve().parents[2]
DIGITS = ROOT / "model_store" / "digits_mlp" / "1"
DEPTH = 100_000


def deep_symbols(depth: int = DEPTH) -> dict[str, str]:
    """Symbol JSON texts nested `depth` levels deep in an attribute value, an `inputs` entry
    and a `heads` entry (each otherwise a valid one-node graph)."""
    deep = "[" * depth + "]" * depth
    var = '{"op": "null", "name": "data", "inputs": []}'

    def relu(inputs: str, attrs: str) -> str:
        return '{"op": "relu", "name": "r", "inputs": ' + inputs + ', "attrs": ' + attrs + "}"

    def graph(nodes: list[str], heads: str) -> str:
        return '{"nodes": [' + ", ".join(nodes) + '], "heads": ' + heads + "}"

    return {
        "attribute": graph([var, relu("[[0, 0, 0]]", '{"x": ' + deep + "}")], "[[1, 0, 0]]"),
        "inputs": graph([var, relu(deep, "{}")], "[[1, 0, 0]]"),
        "heads": graph([var], deep),
    }


def _run_isolated(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs `code` in a fresh interpreter, so that a crash fails the test instead of killing it.
    It imports the same mxserve as the tests (not the source tree's, which may lack the build)."""
    site = str(Path(mxserve.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=site)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_deeply_nested_symbol_json_is_a_clean_error_in_python(tmp_path: Path) -> None:
    paths = {}
    for where, text in deep_symbols().items():
        paths[where] = tmp_path / f"{where}-symbol.json"
        paths[where].write_text(text)
    proc = _run_isolated(
        f"""
        import mxserve
        for where, path in {json.dumps({k: str(v) for k, v in paths.items()})}.items():
            try:
                mxserve.Predictor(path, None, input_shapes={{"data": (1, 2)}})
            except mxserve.InvalidArgumentError as e:
                print(where, "->", e)
            else:
                print(where, "-> loaded")
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    for line in lines:
        assert "deeper than the limit of 64 levels" in line, line


def test_deeply_nested_symbol_json_is_a_clean_error_in_the_c_api(tmp_path: Path) -> None:
    paths = {}
    for where, text in deep_symbols().items():
        paths[where] = tmp_path / f"{where}-symbol.json"
        paths[where].write_text(text)
    proc = _run_isolated(
        f"""
        import ctypes
        dll = ctypes.CDLL({str(predict_api.library_path())!r})
        dll.MXGetLastError.restype = ctypes.c_char_p
        u32 = ctypes.c_uint32
        for where, path in {json.dumps({k: str(v) for k, v in paths.items()})}.items():
            sym = open(path, "rb").read()
            h = ctypes.c_void_p()
            keys = (ctypes.c_char_p * 1)(b"data")
            rc = dll.MXPredCreate(sym, None, 0, 1, 0, u32(1), keys, (u32 * 2)(0, 2),
                                  (u32 * 2)(1, 2), ctypes.byref(h))
            print(where, rc, dll.MXGetLastError().decode())
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    for line in lines:
        assert " -1 " in line and "deeper than the limit of 64 levels" in line, line


def test_symbol_json_within_the_depth_limit_still_loads() -> None:
    # Brackets inside strings do not count towards the depth.
    sym = json.loads((DIGITS / "model-symbol.json").read_text())
    sym["nodes"][0]["attrs"] = {"__note__": "[" * 1000}
    p = mxserve.Predictor(json.dumps(sym), DIGITS / "model-0000.params", {"data": (1, 64)})
    assert p(data=np.zeros((1, 64), np.float32))[0].shape == (1, 10)


def _reshape_symbol(shape: str) -> str:
    return json.dumps(
        {
            "nodes": [
                {"op": "null", "name": "data", "inputs": []},
                {"op": "Reshape", "name": "r", "attrs": {"shape": shape}, "inputs": [[0, 0, 0]]},
                {"op": "sum", "name": "s", "inputs": [[1, 0, 0]]},
            ],
            "heads": [[2, 0, 0]],
        }
    )


def test_reshape_whose_element_count_overflows_fails_at_load() -> None:
    with pytest.raises(mxserve.InvalidArgumentError, match=r"overflows a 64-bit integer"):
        mxserve.Predictor(_reshape_symbol(f"({2**62 + 1}, 64)"), None, {"data": (1, 64)})


def test_tensor_over_the_addressable_size_fails_at_load() -> None:
    # 2^45 x 64 elements fit in int64, but 2^53 float32 bytes exceed the 2^47-byte limit.
    with pytest.raises(mxserve.InvalidArgumentError, match=r"exceeds the addressable size"):
        mxserve.Predictor(_reshape_symbol("(-1, 64)"), None, {"data": (2**45, 64)})


def _c_create(shape: tuple[int, ...]) -> tuple[int, str]:
    dll = ctypes.CDLL(str(predict_api.library_path()))
    dll.MXGetLastError.restype = ctypes.c_char_p
    u32 = ctypes.c_uint32
    sym = (DIGITS / "model-symbol.json").read_bytes()
    params = (DIGITS / "model-0000.params").read_bytes()
    h = ctypes.c_void_p()
    keys = (ctypes.c_char_p * 1)(b"data")
    rc = dll.MXPredCreate(
        sym,
        params,
        len(params),
        1,
        0,
        u32(1),
        keys,
        (u32 * 2)(0, len(shape)),
        (u32 * len(shape))(*shape),
        ctypes.byref(h),
    )
    if rc == 0:
        dll.MXPredFree(h)
    return rc, dll.MXGetLastError().decode()


def test_c_api_rejects_input_shapes_whose_element_count_overflows() -> None:
    rc, msg = _c_create((2**32 - 1, 2**32 - 1, 2**32 - 1))
    assert rc == -1 and "overflows a 64-bit integer" in msg, msg
    rc, msg = _c_create((2**32 - 1, 2**20, 1))  # 2^52 elements: fits int64, not memory
    assert rc == -1 and "exceeds the addressable size" in msg, msg


def _mutations(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    """`n` corrupt variants of `data`: flipped and replaced bytes, truncations, splices."""
    out = []
    for _ in range(n):
        b = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.choice([0, 0xFF, 0x80, 0xC3, ord("["), ord('"')])
        elif kind == 2:
            del b[rng.randrange(len(b)) :]
        else:
            i = rng.randrange(len(b))
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        out.append(bytes(b))
    return out


def test_corrupt_symbol_and_params_files_raise_mxserve_errors() -> None:
    rng = random.Random(11)
    sym = (DIGITS / "model-symbol.json").read_bytes()
    params = (DIGITS / "model-0000.params").read_bytes()
    failures = []
    cases = [(s, params) for s in _mutations(sym, rng, 200)]
    cases += [(sym, p) for p in _mutations(params, rng, 200)]
    for s, p in cases:
        try:
            mxserve.Predictor(s, p, {"data": (1, 64)})
        except mxserve.MXServeError:
            pass
        except Exception as e:  # noqa: BLE001 - any other class is the failure under test
            failures.append(f"{type(e).__name__}: {e}")
    for p in _mutations(params, rng, 200):
        try:
            mxserve.nd.load(p)
        except mxserve.MXServeError:
            pass
        except Exception as e:  # noqa: BLE001
            failures.append(f"nd.load: {type(e).__name__}: {e}")
    assert not failures, failures[:5]


def test_non_utf8_bytes_in_a_symbol_error_stay_an_mxserve_error() -> None:
    sym = json.loads((DIGITS / "model-symbol.json").read_text())
    text = json.dumps(sym).encode().replace(b'"nodes"', b'"nod\xff\xfe"', 1)
    with pytest.raises(mxserve.InvalidArgumentError):
        mxserve.Predictor(text, None, {"data": (1, 64)})


@pytest.mark.parametrize(
    "shapes, dtypes",
    [
        ({"data": (2**64, 1)}, None),
        ({"data": "1,64"}, None),
        ({"data": (1, 64)}, {"data": "no-such-dtype"}),
    ],
)
def test_bad_predictor_arguments_raise_mxserve_errors(shapes: dict, dtypes: dict | None) -> None:
    with pytest.raises(mxserve.MXServeError):
        mxserve.Predictor(
            DIGITS / "model-symbol.json", DIGITS / "model-0000.params", shapes, dtypes=dtypes
        )
