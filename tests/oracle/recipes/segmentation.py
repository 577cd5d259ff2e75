# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: GluonCV semantic segmentation (FCN, DeepLabV3, PSPNet on
a dilated ResNet-50), pose estimation (SimplePose, with Deconvolution) and the classification
networks whose blocks use the operators of the same work (ResNeSt's split attention,
SE-ResNeXt, ResNet-18 v1b). Small inputs keep the exports fast. Runs in the oracle
environment."""

import numpy as np


def _gluoncv(name, shape, **kwargs):
    def recipe():
        from gluoncv import model_zoo

        net = model_zoo.get_model(name, pretrained=False, pretrained_base=False, **kwargs)
        rng = np.random.RandomState(11)
        return {
            "net": net,
            "inputs": lambda b: [rng.uniform(-1, 1, (b, 3, *shape)).astype("float32")],
        }

    return recipe


def _classifier(name, size=64, **kwargs):
    def recipe():
        from gluoncv import model_zoo

        net = model_zoo.get_model(name, pretrained=False, **kwargs)
        rng = np.random.RandomState(11)
        return {
            "net": net,
            "inputs": lambda b: [rng.uniform(-1, 1, (b, 3, size, size)).astype("float32")],
        }

    return recipe


# The segmentation networks resize their logits to crop_size, so it must be the input size.
RECIPES = {
    "fcn_resnet50_voc": _gluoncv("fcn_resnet50_voc", (96, 96), crop_size=96, base_size=96),
    "deeplab_resnet50_voc": _gluoncv("deeplab_resnet50_voc", (96, 96), crop_size=96, base_size=96),
    "psp_resnet50_voc": _gluoncv("psp_resnet50_voc", (96, 96), crop_size=96, base_size=96),
    "simple_pose_resnet18_v1b": _gluoncv("simple_pose_resnet18_v1b", (64, 48)),
    "resnest14": _classifier("resnest14"),
    "se_resnext50_32x4d": _classifier("se_resnext50_32x4d"),
    "resnet18_v1b": _classifier("resnet18_v1b"),
}
