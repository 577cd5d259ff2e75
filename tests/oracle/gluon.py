# SPDX-License-Identifier: Apache-2.0
"""Whole networks built by GluonCV / GluonNLP / Gluon recipes (tests/oracle/recipes/<family>.py),
exported by real MXNet 1.9.1 with fixed-seed random weights, and the check that mxserve's
Predictor and C API give MXNet's outputs at both recorded batch sizes."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import pathlib
import shutil
from typing import Any

import numpy as np

from .envs import CACHE, GLUON, publish, run_in_oracle

HERE = pathlib.Path(__file__).resolve().parent


def gluon_model(family: str, name: str) -> pathlib.Path:
    """Folder with model-symbol.json, model-0000.params, io.npz and meta.json of recipe `name`
    of `family`, exported on first use (cached by the hash of the scripts)."""
    script = HERE / "mx_gluon.py"
    recipes = HERE / "recipes" / f"{family}.py"
    digest = hashlib.sha256(script.read_bytes() + recipes.read_bytes()).hexdigest()[:12]
    out = CACHE / "gluon" / f"{family}-{digest}" / name
    if not (out / "meta.json").exists():
        tmp = out.with_name(f"{name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        run_in_oracle("1.9.1", script, str(tmp), family, name, extras=GLUON)
        publish(tmp, out, "meta.json")
    return out


def load_io(d: pathlib.Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    meta = json.loads((d / "meta.json").read_text())
    with np.load(d / "io.npz") as f:
        io = {k: f[k] for k in f.files}
    return meta, io


def batch_io(
    meta: dict[str, Any], io: dict[str, np.ndarray], b: int
) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """Inputs by name and the expected outputs of batch size `b`."""
    inputs = {n: io[f"x{b}_{i}"] for i, n in enumerate(meta["inputs"])}
    outputs = [io[f"y{b}_{k}"] for k in range(meta["num_outputs"])]
    return inputs, outputs


def assert_outputs(
    got: list[np.ndarray], want: list[np.ndarray], rtol: float, atol: float, what: str
) -> None:
    assert len(got) == len(want), f"{what}: {len(got)} outputs, MXNet gave {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"{what} output {k}: shape {g.shape}, MXNet {w.shape}"
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"{what} output {k}")


def check_gluon_model(family: str, name: str, rtol: float = 1e-3, atol: float = 1e-4) -> None:
    """Predictor at the first batch size, reshaped to the second, and the C API at both, all
    against MXNet's recorded outputs."""
    import mxserve

    d = gluon_model(family, name)
    meta, io = load_io(d)
    b1, b2 = meta["batches"]
    x1, _ = batch_io(meta, io, b1)
    p1 = mxserve.Predictor.load(
        d / "model",
        0,
        input_shapes={k: v.shape for k, v in x1.items()},
        dtypes={k: v.dtype for k, v in x1.items()},
    )
    x2, _ = batch_io(meta, io, b2)
    p2 = p1.reshape({k: v.shape for k, v in x2.items()})
    for b, p in ((b1, p1), (b2, p2)):
        x, want = batch_io(meta, io, b)
        assert_outputs(list(p(**x)), want, rtol, atol, f"{family}/{name} batch {b}")
    for b in (b1, b2):
        x, want = batch_io(meta, io, b)
        got = run_c_api(d, x, meta["num_outputs"])
        assert_outputs(got, want, rtol, atol, f"{family}/{name} C API batch {b}")


# DType flags of MXNet's C API (mshadow's type flags).
_DTYPE_FLAGS = {
    "float32": 0,
    "float64": 1,
    "float16": 2,
    "uint8": 3,
    "int32": 4,
    "int8": 5,
    "int64": 6,
}
_FLAG_DTYPES = {v: k for k, v in _DTYPE_FLAGS.items()}


def run_c_api(
    d: pathlib.Path,
    inputs: dict[str, np.ndarray],
    num_outputs: int,
    symbol: pathlib.Path | None = None,
    params: pathlib.Path | None = None,
) -> list[np.ndarray]:
    """Runs the export in `d` (or the files `symbol` and `params`) once through
    libmxnet_predict's MXPredCreateEx / MXPredForward and returns its first `num_outputs`
    outputs."""
    from mxserve import predict_api

    dll = ctypes.CDLL(str(predict_api.library_path()))
    dll.MXGetLastError.restype = ctypes.c_char_p
    u32 = ctypes.c_uint32

    def check(rc: int) -> None:
        if rc != 0:
            raise RuntimeError(dll.MXGetLastError().decode())

    sym = (symbol or d / "model-symbol.json").read_bytes()
    params_bytes = (params or d / "model-0000.params").read_bytes()
    names = list(inputs)
    keys = (ctypes.c_char_p * len(names))(*[n.encode() for n in names])
    indptr = [0]
    dims: list[int] = []
    for n in names:
        dims += inputs[n].shape
        indptr.append(len(dims))
    c_indptr = (u32 * len(indptr))(*indptr)
    c_dims = (u32 * len(dims))(*dims)
    c_types = (ctypes.c_int * len(names))(*[_DTYPE_FLAGS[str(inputs[n].dtype)] for n in names])
    h = ctypes.c_void_p()
    check(
        dll.MXPredCreateEx(
            sym,
            params_bytes,
            len(params_bytes),
            1,
            0,
            u32(len(names)),
            keys,
            c_indptr,
            c_dims,
            u32(len(names)),
            keys,
            c_types,
            ctypes.byref(h),
        )
    )
    try:
        for n in names:
            x = np.ascontiguousarray(inputs[n])
            ptr = x.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            check(dll.MXPredSetInput(h, n.encode(), ptr, u32(x.size)))
        check(dll.MXPredForward(h))
        outs = []
        for i in range(num_outputs):
            pdata = ctypes.POINTER(u32)()
            ndim = u32()
            check(dll.MXPredGetOutputShape(h, u32(i), ctypes.byref(pdata), ctypes.byref(ndim)))
            flag = ctypes.c_int()
            check(dll.MXPredGetOutputType(h, u32(i), ctypes.byref(flag)))
            y = np.empty(tuple(pdata[: ndim.value]), _FLAG_DTYPES[flag.value])
            ptr = y.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            check(dll.MXPredGetOutput(h, u32(i), ptr, u32(y.size)))
            outs.append(y)
        return outs
    finally:
        check(dll.MXPredFree(h))
