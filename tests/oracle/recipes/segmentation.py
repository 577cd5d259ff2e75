# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: GluonCV semantic segmentation (FCN, DeepLabV3, PSPNet on
a dilated ResNet-50), pose estimation (SimplePose, with Deconvolution) and the classification
networks whose blocks use the operators of the same work (ResNeSt's split attention,
SE-ResNeXt, ResNet-18 v1b). Small inputs keep the exports fast. Runs in the oracle
environment."""

import numpy as np


def _gluoncv(name, shape, builder=None, **kwargs):
    def recipe():
        from gluoncv import model_zoo

        get = (
            getattr(model_zoo, builder) if builder else lambda **kw: model_zoo.get_model(name, **kw)
        )
        net = get(pretrained=False, pretrained_base=False, **kwargs)
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


# The segmentation networks resize their logits to crop_size, so it must be the input size. The
# zoo has no name for the ResNet-50 PSPNet and DeepLabV3 on Pascal VOC: their builders make them.
SEG = {"crop_size": 96, "base_size": 96}
VOC50 = {"dataset": "pascal_voc", "backbone": "resnet50"}
RECIPES = {
    "fcn_resnet50_voc": _gluoncv("fcn_resnet50_voc", (96, 96), **SEG),
    "deeplab_resnet50_voc": _gluoncv("", (96, 96), "get_deeplab", **VOC50, **SEG),
    "psp_resnet50_voc": _gluoncv("", (96, 96), "get_psp", **VOC50, **SEG),
    "simple_pose_resnet18_v1b": _gluoncv("simple_pose_resnet18_v1b", (64, 48)),
    "resnest14": _classifier("resnest14"),
    "se_resnext50_32x4d": _classifier("se_resnext50_32x4d"),
    "resnet18_v1b": _classifier("resnet18_v1b"),
}
