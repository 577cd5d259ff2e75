# SPDX-License-Identifier: Apache-2.0
"""GluonCV segmentation (FCN, DeepLabV3, PSPNet), pose (SimplePose) and classification networks
(ResNeSt, SE-ResNeXt, ResNet-18 v1b) exported by MXNet 1.9.1 with random weights, against
MXNet's outputs at batch 1 and 2 through the Predictor and the C API."""

import pytest
from oracle.gluon import check_gluon_model

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
