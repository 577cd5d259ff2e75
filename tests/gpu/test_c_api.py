# SPDX-License-Identifier: Apache-2.0
"""MXNet's C predict API with dev_type=2 (gpu) on libmxnet_predict: the same numbers as
dev_type=1 within rtol 1e-3 / atol 1e-4, for a model exported by MXNet with MXNet's outputs."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from c_api import ctypes_predict as cp

from gpu import zoo
from gpu.conftest import needs_gpu
from mxserve import predict_api

pytestmark = needs_gpu


def _run(dll: ctypes.CDLL, sym: bytes, params: bytes, x: np.ndarray, dev_type: int) -> np.ndarray:
    h = ctypes.c_void_p()
    cp.check(
        dll,
        dll.MXPredCreate(
            sym,
            params,
            len(params),
            dev_type,
            0,
            cp.u32(1),
            *cp._shape_args(x.shape),
            ctypes.byref(h),
        ),
    )
    try:
        return cp._outputs(dll, h, x)[0]
    finally:
        cp.check(dll, dll.MXPredFree(h))


def test_dev_type_2_matches_mxnet_and_cpu() -> None:
    real = zoo.REAL_DIR / "mobilenet0.25"
    if not (real / "io.npz").exists():
        pytest.skip(f"no real export in {real} (benchmarks/gpu/prepare.sh)")
    dll = cp.load(str(predict_api.library_path()))
    sym = (real / "model-symbol.json").read_bytes()
    params = (real / "model-0000.params").read_bytes()
    with np.load(real / "io.npz") as f:
        x, want = f["x4"], f["y4"]
    gpu = _run(dll, sym, params, x, 2)
    cpu = _run(dll, sym, params, x, 1)
    np.testing.assert_allclose(gpu, want, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-3, atol=1e-4)


def test_dev_type_2_rejects_missing_device() -> None:
    real = zoo.REAL_DIR / "mobilenet0.25"
    if not (real / "io.npz").exists():
        pytest.skip(f"no real export in {real} (benchmarks/gpu/prepare.sh)")
    dll = cp.load(str(predict_api.library_path()))
    sym = (real / "model-symbol.json").read_bytes()
    params = (real / "model-0000.params").read_bytes()
    h = ctypes.c_void_p()
    rc = dll.MXPredCreate(
        sym,
        params,
        len(params),
        2,
        64,
        cp.u32(1),
        *cp._shape_args((1, 3, 224, 224)),
        ctypes.byref(h),
    )
    assert rc == -1
    assert b"64" in dll.MXGetLastError()


def test_dev_type_2_float16_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    real = zoo.REAL_DIR / "mobilenet0.25"
    if not (real / "io.npz").exists():
        pytest.skip(f"no real export in {real} (benchmarks/gpu/prepare.sh)")
    dll = cp.load(str(predict_api.library_path()))
    sym = (real / "model-symbol.json").read_bytes()
    params = (real / "model-0000.params").read_bytes()
    with np.load(real / "io.npz") as f:
        x, want = f["x4"], f["y4"]
    monkeypatch.setenv("MXSERVE_DTYPE", "float16")
    got = _run(dll, sym, params, x, 2)
    scale = float(np.max(np.abs(want)))
    print(f"C API float16 max error {float(np.max(np.abs(got - want))):.3g} (scale {scale:.3g})")
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-2 * scale)
