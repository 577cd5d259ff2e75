# SPDX-License-Identifier: Apache-2.0
"""Runs an exported model through the C predict API of a library loaded with ctypes: the same
C calls for mxserve's libmxnet_predict.so and for MXNet 1.9.1's own libmxnet.so.

As a script (in the oracle environment, so libmxnet.so never loads into the test process):
    python ctypes_predict.py LIB MODEL_DIR OUT.npz
LIB is a path, or "mxnet" for the libmxnet.so of the installed mxnet package (found without
importing it). MODEL_DIR holds model-symbol.json, model-0000.params and io.npz (x1, x4).
OUT.npz receives y1 and y4 (MXPredCreate at batch 1 and 4), y4_reshaped (batch 1 reshaped
with MXPredReshape, when the library accepts it), y4_partial (MXPredPartialForward) and steps.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys

import numpy as np

u32 = ctypes.c_uint32


def load(lib: str) -> ctypes.CDLL:
    if lib == "mxnet":
        spec = importlib.util.find_spec("mxnet")
        assert spec is not None and spec.submodule_search_locations
        lib = os.path.join(list(spec.submodule_search_locations)[0], "libmxnet.so")
    dll = ctypes.CDLL(lib)
    dll.MXGetLastError.restype = ctypes.c_char_p
    return dll


def check(dll: ctypes.CDLL, rc: int) -> None:
    if rc != 0:
        raise RuntimeError(dll.MXGetLastError().decode())


def _shape_args(shape: tuple[int, ...]) -> tuple[ctypes.Array, ctypes.Array, ctypes.Array]:
    keys = (ctypes.c_char_p * 1)(b"data")
    indptr = (u32 * 2)(0, len(shape))
    data = (u32 * len(shape))(*shape)
    return keys, indptr, data


def _outputs(
    dll: ctypes.CDLL, h: ctypes.c_void_p, x: np.ndarray, n_out: int = 1
) -> list[np.ndarray]:
    x = np.ascontiguousarray(x, np.float32)
    check(
        dll,
        dll.MXPredSetInput(
            h, b"data", x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), u32(x.size)
        ),
    )
    check(dll, dll.MXPredForward(h))
    outs = []
    for i in range(n_out):
        pdata = ctypes.POINTER(u32)()
        ndim = u32()
        check(dll, dll.MXPredGetOutputShape(h, u32(i), ctypes.byref(pdata), ctypes.byref(ndim)))
        dtype = ctypes.c_int()
        check(dll, dll.MXPredGetOutputType(h, u32(i), ctypes.byref(dtype)))
        assert dtype.value == 0
        y = np.empty(tuple(pdata[: ndim.value]), np.float32)
        check(
            dll,
            dll.MXPredGetOutput(
                h, u32(i), y.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), u32(y.size)
            ),
        )
        outs.append(y)
    return outs


def run_model(lib: str, model_dir: str) -> dict[str, np.ndarray]:
    dll = load(lib)
    with open(os.path.join(model_dir, "model-symbol.json"), "rb") as f:
        sym = f.read()
    with open(os.path.join(model_dir, "model-0000.params"), "rb") as f:
        params = f.read()
    with np.load(os.path.join(model_dir, "io.npz")) as io:
        x1, x4 = io["x1"], io["x4"]
    result = {}
    handles = {}
    for b, x in ((1, x1), (4, x4)):
        h = ctypes.c_void_p()
        check(
            dll,
            dll.MXPredCreate(
                sym, params, len(params), 1, 0, u32(1), *_shape_args(x.shape), ctypes.byref(h)
            ),
        )
        result[f"y{b}"] = _outputs(dll, h, x)[0]
        handles[b] = h
    # Batch 1 reshaped to batch 4 (MXNet refuses when a label's inferred shape changes with it).
    h = ctypes.c_void_p()
    if dll.MXPredReshape(u32(1), *_shape_args(x4.shape), handles[1], ctypes.byref(h)) == 0:
        result["y4_reshaped"] = _outputs(dll, h, x4)[0]
        check(dll, dll.MXPredFree(h))
    # The step count of a partial forward pass, and its result.
    left, step = ctypes.c_int(1), 0
    while left.value != 0:
        check(dll, dll.MXPredPartialForward(handles[4], step, ctypes.byref(left)))
        step += 1
    result["steps"] = np.array(step)
    result["y4_partial"] = _outputs(dll, handles[4], x4)[0]
    for h in handles.values():
        check(dll, dll.MXPredFree(h))
    return result


def main() -> None:
    lib, model_dir, out = sys.argv[1:4]
    np.savez(out, **run_model(lib, model_dir))


if __name__ == "__main__":
    main()
