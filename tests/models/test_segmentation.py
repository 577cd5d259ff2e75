# SPDX-License-Identifier: Apache-2.0
"""GluonCV segmentation (FCN, DeepLabV3, PSPNet), pose (SimplePose) and classification networks
(ResNeSt, SE-ResNeXt, ResNet-18 v1b) exported by MXNet 1.9.1 with random weights, against
MXNet's outputs at batch 1 and 2 through the Predictor and the C API."""

import json

import numpy as np
import pytest
from oracle.gluon import batch_io, check_gluon_model, gluon_model, load_io

import mxserve

SLOW = [
    "fcn_resnet50_voc",
    "deeplab_resnet50_voc",
    "psp_resnet50_voc",
    "resnest14",
    "se_resnext50_32x4d",
    "resnet18_v1b",
]


def test_simple_pose_resnet18_v1b() -> None:
    check_gluon_model("segmentation", "simple_pose_resnet18_v1b")


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_segmentation_family(name: str) -> None:
    check_gluon_model("segmentation", name)


def test_simple_pose_bfloat16_close_to_float32() -> None:
    d = gluon_model("segmentation", "simple_pose_resnet18_v1b")
    meta, io = load_io(d)
    x, (want,) = batch_io(meta, io, 2)
    shapes = {k: v.shape for k, v in x.items()}
    try:
        p = mxserve.Predictor.load(d / "model", 0, input_shapes=shapes, dtype="bfloat16")
    except mxserve.UnsupportedError:
        pytest.skip("this CPU has neither AVX512-BF16 nor AMX")
    nodes = json.loads((d / "model-symbol.json").read_text())["nodes"]
    names = {n["name"] for n in nodes if n["op"] == "Deconvolution"}
    deconv = [impl for name, impl in p.info()["kernels"] if name in names]
    # The bfloat16 kernels are named after their ISA (avx512_core_bf16, avx512_core_amx).
    assert len(deconv) == len(names) == 3, deconv
    assert all("bf16" in impl or "amx" in impl for impl in deconv), deconv
    (got,) = p(**x)
    assert got.dtype == np.float32
    rel = np.abs(got - want).max() / np.abs(want).max()
    assert rel < 3e-2, f"bfloat16 max relative error {rel}"


def test_segmentation_operators_inside_a_network() -> None:
    check_gluon_model("seg_blocks", "blocks_net")
