# SPDX-License-Identifier: Apache-2.0
"""GluonCV object detectors (tests/oracle/recipes/detection.py) exported by MXNet 1.9.1 with
random weights: mxserve gives the same boxes, scores and class ids in the same order, through
the Predictor and the C API."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
from oracle.envs import GLUON, oracle_python
from oracle.gluon import check_gluon_model, gluon_model

import mxserve

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


MX_BATCH = """
import sys
import mxnet as mx
import numpy as np
d, batch = sys.argv[1], int(sys.argv[2])
net = mx.gluon.SymbolBlock.imports(d + "/model-symbol.json", ["data"], d + "/model-0000.params")
try:
    net(mx.nd.array(np.zeros((batch, 3, 320, 320), np.float32)))
    print("ran")
except mx.base.MXNetError as e:
    print("refused", str(e).splitlines()[0])
"""


@pytest.mark.slow
def test_faster_rcnn_batch_two_is_refused_as_mxnet_refuses_it(tmp_path) -> None:
    """GluonCV's exported Faster R-CNN fixes the batch to 1 (its per-image RoIs are concatenated
    with the batch's boxes): MXNet 1.9.1 itself refuses batch 2 at the `concat0` node, and
    mxserve refuses it at load with an error naming that node."""
    d = gluon_model("detection", "faster_rcnn_resnet50_v1b_voc")
    script = tmp_path / "mx_batch.py"
    script.write_text(MX_BATCH)
    py = str(oracle_python("1.9.1", GLUON))
    out = subprocess.run([py, str(script), str(d), "2"], capture_output=True, text=True)
    assert "refused" in out.stdout and "fasterrcnn0_concat0" in out.stdout, out.stdout + out.stderr
    with pytest.raises(mxserve.InvalidArgumentError, match="fasterrcnn0_concat0"):
        mxserve.Predictor.load(d / "model", input_shapes={"data": (2, 3, 320, 320)})
    p = mxserve.Predictor.load(d / "model", input_shapes={"data": (1, 3, 320, 320)})
    assert [o.shape for o in p(data=np.zeros((1, 3, 320, 320), np.float32))][2] == (1, 6000, 4)
