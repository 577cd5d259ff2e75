# SPDX-License-Identifier: Apache-2.0
"""GluonCV object detectors (tests/oracle/recipes/detection.py) exported by MXNet 1.9.1 with
random weights: mxserve gives the same boxes, scores and class ids in the same order, through
the Predictor and the C API."""

import pathlib
import subprocess
import sys

import pytest
from oracle.gluon import check_gluon_model, gluon_model

SLOW = ["ssd_300_vgg16_atrous_voc", "yolo3_mobilenet1.0_voc", "faster_rcnn_resnet50_v1b_voc"]


def test_detection_ssd_512_mobilenet() -> None:
    check_gluon_model("detection", "ssd_512_mobilenet1.0_voc")


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_detection_slow(name: str) -> None:
    check_gluon_model("detection", name)


def test_docs_ssd_example(tmp_path) -> None:
    """The SSD example of docs/models.md runs on the exported SSD and prints one well-formed line
    per detection."""
    docs = pathlib.Path(__file__).resolve().parents[2] / "docs" / "models.md"
    text = docs.read_text().split("### Example: boxes from an exported SSD", 1)[1]
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "ssd_boxes.py"
    script.write_text(code)
    model = gluon_model("detection", "ssd_512_mobilenet1.0_voc") / "model"
    out = subprocess.run(
        [sys.executable, str(script), str(model)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out, "the example printed no detections"
    for line in out:
        cid, score, *box = line.split()
        assert 0 <= int(cid) < 20 and 0.0 <= float(score) <= 1.0 and len(box) == 4, line
