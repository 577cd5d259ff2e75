# SPDX-License-Identifier: Apache-2.0
"""Model-zoo fixtures: networks exported by real MXNet with fixed-seed random weights, together
with MXNet's outputs at batch 1 and 4, cached under ~/.cache/mxserve/oracle/models/."""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil

from .envs import CACHE, publish, run_in_oracle

HERE = pathlib.Path(__file__).resolve().parent

# The 34 architectures of MXNet 1.9.1's gluon.model_zoo.vision.
ZOO = [
    "alexnet",
    "densenet121",
    "densenet161",
    "densenet169",
    "densenet201",
    "inceptionv3",
    "mobilenet0.25",
    "mobilenet0.5",
    "mobilenet0.75",
    "mobilenet1.0",
    "mobilenetv2_0.25",
    "mobilenetv2_0.5",
    "mobilenetv2_0.75",
    "mobilenetv2_1.0",
    "resnet101_v1",
    "resnet101_v2",
    "resnet152_v1",
    "resnet152_v2",
    "resnet18_v1",
    "resnet18_v2",
    "resnet34_v1",
    "resnet34_v2",
    "resnet50_v1",
    "resnet50_v2",
    "squeezenet1.0",
    "squeezenet1.1",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
]


def exported_model(version: str, name: str) -> pathlib.Path:
    """Folder with model-symbol.json, model-0000.params and io.npz for `name` exported by MXNet
    `version` (exported on first use)."""
    script = HERE / "mx_models.py"
    digest = hashlib.sha256(script.read_bytes()).hexdigest()[:12]
    out = CACHE / "models" / f"{version}-{digest}" / name
    if not (out / "io.npz").exists():
        tmp = out.parent / f"{name}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run_in_oracle(version, script, str(tmp), name)
        publish(tmp / name, out, "io.npz")
        shutil.rmtree(tmp, ignore_errors=True)
    return out
