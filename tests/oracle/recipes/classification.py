# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: GluonCV classification networks beyond MXNet's own
model zoo. Runs in the oracle environment."""

import numpy as np


def _gluoncv(name, size=64, **kwargs):
    def recipe():
        from gluoncv import model_zoo

        net = model_zoo.get_model(name, pretrained=False, **kwargs)
        rng = np.random.RandomState(11)
        return {
            "net": net,
            "inputs": lambda b: [rng.uniform(-1, 1, (b, 3, size, size)).astype("float32")],
        }

    return recipe


RECIPES = {
    "resnet18_v1b": _gluoncv("resnet18_v1b"),
}
