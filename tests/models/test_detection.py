# SPDX-License-Identifier: Apache-2.0
"""GluonCV object detectors (tests/oracle/recipes/detection.py) exported by MXNet 1.9.1 with
random weights: mxserve gives the same boxes, scores and class ids in the same order, through
the Predictor and the C API."""

import pytest
from oracle.gluon import check_gluon_model

SLOW = ["ssd_300_vgg16_atrous_voc", "yolo3_mobilenet1.0_voc", "faster_rcnn_resnet50_v1b_voc"]


def test_detection_ssd_512_mobilenet() -> None:
    check_gluon_model("detection", "ssd_512_mobilenet1.0_voc")


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_detection_slow(name: str) -> None:
    check_gluon_model("detection", name)
