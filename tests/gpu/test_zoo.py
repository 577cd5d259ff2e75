# SPDX-License-Identifier: Apache-2.0
"""The 34 gluon.model_zoo.vision architectures on cuda:0 against mxserve's CPU path (itself
checked against MXNet in tests/models): float32 within rtol 1e-3 / atol 1e-4 at batch 1 and 4,
float16 mode within rtol 2e-2 of float32 (relative to the output's scale), with the largest
error printed. float32 runs NCHW by default and float16 channels-last (cuDNN's NHWC kernels);
the networks with every layout-aware kernel (residual sums, unfolded BatchNorm, Concat, max /
avg / global pooling, depthwise stages) also run float32 channels-last against the CPU path.
float32 uses TF32 tensor cores only where MXSERVE_CUDA_TF32=1 asks for them."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from oracle.models import ZOO

import mxserve
from gpu import zoo
from gpu.conftest import needs_gpu

pytestmark = needs_gpu


def _prefix(name: str, tmp_path: pathlib.Path) -> pathlib.Path:
    if name not in zoo.available():
        pytest.skip(f"no symbol JSON for {name} in {zoo.ZOO_DIR} (benchmarks/gpu/prepare.sh)")
    return zoo.make_params(name, tmp_path)


@pytest.mark.parametrize("name", ZOO)
def test_zoo_fp32_matches_cpu(name: str, tmp_path: pathlib.Path) -> None:
    prefix = _prefix(name, tmp_path)
    for batch in (1, 4):
        x = zoo.make_input(name, batch)
        cpu = mxserve.Predictor.load(prefix, 0, input_shapes={"data": x.shape})
        gpu = mxserve.Predictor.load(prefix, 0, input_shapes={"data": x.shape}, device="cuda:0")
        (want,) = cpu(data=x)
        (got,) = gpu(data=x)
        assert got.shape == want.shape
        err = float(np.max(np.abs(got - want)))
        print(f"{name} batch {batch} fp32 max error {err:.3g}")
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4, err_msg=f"{name} b{batch}")


# Residual sums and 7x7 / 3x3 convolutions; BatchNorm before convolutions (unfolded); Concat and
# avg pooling; Concat, max pooling in the full convention; depthwise stages and clip.
CHANNELS_LAST = [
    "resnet18_v1",
    "resnet18_v2",
    "densenet121",
    "inceptionv3",
    "squeezenet1.1",
    "mobilenetv2_1.0",
]


@pytest.mark.parametrize("name", CHANNELS_LAST)
def test_zoo_fp32_channels_last_matches_cpu(
    name: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = _prefix(name, tmp_path)
    x = zoo.make_input(name, 2)
    cpu = mxserve.Predictor.load(prefix, 0, input_shapes={"data": x.shape})
    monkeypatch.setenv("MXSERVE_LAYOUT", "channels_last")
    gpu = mxserve.Predictor.load(prefix, 0, input_shapes={"data": x.shape}, device="cuda:0")
    kernels = [k for _, k in gpu.info()["kernels"]]
    assert any(k.endswith(":nhwc") or ":nhwc+" in k for k in kernels), kernels
    (want,) = cpu(data=x)
    (got,) = gpu(data=x)
    err = float(np.max(np.abs(got - want)))
    print(f"{name} batch 2 fp32 channels-last max error {err:.3g}")
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("name", ZOO)
def test_zoo_fp16_close_to_fp32(name: str, tmp_path: pathlib.Path) -> None:
    prefix = _prefix(name, tmp_path)
    x = zoo.make_input(name, 4)
    shapes = {"data": x.shape}
    fp32 = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, device="cuda:0")
    fp16 = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, device="cuda:0", dtype="float16")
    (want,) = fp32(data=x)
    (got,) = fp16(data=x)
    assert got.dtype == np.float32 and got.shape == want.shape
    scale = float(np.max(np.abs(want)))
    err = float(np.max(np.abs(got - want)))
    print(f"{name} fp16 max error {err:.3g} (output scale {scale:.3g})")
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-2 * scale, err_msg=name)


def test_zoo_tf32_only_when_asked(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = _prefix("resnet50_v1", tmp_path)
    x = zoo.make_input("resnet50_v1", 4)
    shapes = {"data": x.shape}
    monkeypatch.delenv("MXSERVE_CUDA_TF32", raising=False)
    exact = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, device="cuda:0")
    assert not any(":tf32" in k for _, k in exact.info()["kernels"])
    monkeypatch.setenv("MXSERVE_CUDA_TF32", "1")
    fast = mxserve.Predictor.load(prefix, 0, input_shapes=shapes, device="cuda:0")
    kernels = [k for _, k in fast.info()["kernels"]]
    assert any(":tf32" in k for k in kernels), kernels
    (want,) = exact(data=x)
    (got,) = fast(data=x)
    scale = float(np.max(np.abs(want)))
    err = float(np.max(np.abs(got - want)))
    print(f"resnet50_v1 TF32 max error {err:.3g} (output scale {scale:.3g})")
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-2 * scale)
