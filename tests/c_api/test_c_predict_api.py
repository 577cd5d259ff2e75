# SPDX-License-Identifier: Apache-2.0
"""Runs test_c_predict_api.c (every function and error path of the C API, N threads with their
own MXPredCreateMultiThread handles, per-thread last error), one pytest case per C test group."""

from __future__ import annotations

import ctypes
import pathlib

import pytest

from c_api import _capi

GROUPS = [
    "create_errors",
    "predict",
    "create_ex",
    "partial_out",
    "partial_forward",
    "reshape",
    "ndlist",
    "monitor",
    "multithread",
    "one_handle_threads",
    "last_error_per_thread",
]


@pytest.mark.parametrize("group", GROUPS)
def test_c_program(group: str, c_test_program: pathlib.Path, mlp_dir: pathlib.Path) -> None:
    proc = _capi.run([str(c_test_program), str(mlp_dir), group])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ", 0 failed" in proc.stdout


def test_c_program_rejects_unknown_group(
    c_test_program: pathlib.Path, mlp_dir: pathlib.Path
) -> None:
    proc = _capi.run([str(c_test_program), str(mlp_dir), "nope"])
    assert proc.returncode == 2


def _cuda_built() -> bool:
    from mxserve import _runtime

    return any(kind == "cuda" for _, kind in _runtime.backends())


CREATE_FUNCTIONS = [
    "MXPredCreate",
    "MXPredCreateEx",
    "MXPredCreatePartialOut",
    "MXPredCreateMultiThread",
]


@pytest.mark.parametrize("create", CREATE_FUNCTIONS)
@pytest.mark.parametrize(("dev_type", "dev_id"), [(2, 0), (2, 1)])
def test_create_with_gpu_names_what_is_missing(
    create: str, dev_type: int, dev_id: int, mlp_dir: pathlib.Path
) -> None:
    if _cuda_built():
        pytest.skip("this build has the CUDA backend")
    from mxserve import predict_api

    lib = ctypes.CDLL(str(predict_api.library_path()))
    lib.MXGetLastError.restype = ctypes.c_char_p
    sym = (mlp_dir / "mlp-symbol.json").read_bytes()
    params = (mlp_dir / "mlp-0000.params").read_bytes()
    keys = (ctypes.c_char_p * 1)(b"data")
    indptr = (ctypes.c_uint32 * 2)(0, 2)
    shape = (ctypes.c_uint32 * 2)(4, 20)
    handle = ctypes.c_void_p()
    head = (sym, params, len(params), dev_type, dev_id, ctypes.c_uint32(1), keys, indptr, shape)
    extra = {
        "MXPredCreate": (),
        "MXPredCreateEx": (ctypes.c_uint32(0), None, None),
        "MXPredCreatePartialOut": (ctypes.c_uint32(0), None),
        "MXPredCreateMultiThread": (1,),
    }[create]
    rc = getattr(lib, create)(*head, *extra, ctypes.byref(handle))
    assert rc == -1
    message = lib.MXGetLastError().decode()
    assert f"dev_type 2 (gpu), dev_id {dev_id}: device cuda:{dev_id} is not available" in message
    assert "mxserve was built without CUDA (MXSERVE_WITH_CUDA=OFF)" in message
