# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: GluonCV object detectors (SSD, YOLOv3, Faster R-CNN)
with random weights. Runs in the oracle environment.

Random weights make class scores nearly equal, and the order of near-equal scores decides which
boxes NMS keeps; so each recipe initializes its class-prediction layers with a spread (`scaled`:
block path -> standard deviation of its weights) that separates the scores by far more than float
rounding can move them without saturating them (saturated scores tie at 1.0 in one runtime and
not in the other). Faster R-CNN's box regressors get small weights too: random ones give offsets
so large that exp() turns float rounding into pixel differences.
GluonCV's Faster R-CNN runs one image at a time in inference, hence its batches (1, 1)."""

import numpy as np


def _detector(name, size, scaled, batches=(1, 2), seed=7, **kwargs):
    def recipe():
        import mxnet as mx
        from gluoncv import model_zoo

        net = model_zoo.get_model(name, pretrained=False, pretrained_base=False, **kwargs)
        # The layers GluonCV builds from symbols (SSD's feature expander) leave their vector
        # parameters without an initializer, and the harness's Xavier cannot fill vectors.
        for pname, param in net.collect_params().items():
            if param.init is None:
                if pname.endswith(("gamma", "moving_var", "running_var")):
                    param.init = mx.init.One()
                elif pname.endswith(("beta", "moving_mean", "running_mean", "bias")):
                    param.init = mx.init.Zero()
        for path, sigma in scaled.items():
            block = net
            for part in path.split("."):
                block = getattr(block, part)
            for pname, param in block.collect_params().items():
                if pname.endswith("weight"):
                    param.init = mx.init.Normal(sigma)
        rng = np.random.RandomState(seed)
        return {
            "net": net,
            # He initialization keeps the activations' spread through the deep (depthwise) stacks,
            # where the harness's default Xavier makes the features almost independent of the input.
            "init": mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2),
            "inputs": lambda b: [rng.uniform(-1, 1, (b, 3, size, size)).astype("float32")],
            "batches": batches,
        }

    return recipe


RECIPES = {
    "ssd_512_mobilenet1.0_voc": _detector(
        "ssd_512_mobilenet1.0_voc", 512, {"class_predictors": 0.04}
    ),
    "ssd_300_vgg16_atrous_voc": _detector(
        "ssd_300_vgg16_atrous_voc", 300, {"class_predictors": 0.002}
    ),
    "yolo3_mobilenet1.0_voc": _detector("yolo3_mobilenet1.0_voc", 320, {"yolo_outputs": 0.06}),
    "faster_rcnn_resnet50_v1b_voc": _detector(
        "faster_rcnn_resnet50_v1b_voc",
        320,
        {"class_predictor": 1e-4, "box_predictor": 1e-4, "rpn.loc": 1e-4, "rpn.score": 1e-3},
        batches=(1, 1),
    ),
}
