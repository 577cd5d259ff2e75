# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: a small Gluon network chaining every operator of the
segmentation work between convolutions (InstanceNorm, GroupNorm, SyncBatchNorm, hard_sigmoid,
Conv2DTranspose, UpSampling, BilinearResize2D, AdaptiveAvgPooling2D, L2Normalization), so that
the layout planner sees them inside a network. Runs in the oracle environment."""

import numpy as np


def _blocks_net():
    from mxnet.gluon import nn
    from mxnet.gluon.contrib.nn import SyncBatchNorm

    class BlocksNet(nn.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.stem = nn.Conv2D(16, 3, padding=1)
                self.inorm = nn.InstanceNorm()
                self.conv1 = nn.Conv2D(16, 3, padding=1)
                self.gnorm = nn.GroupNorm(num_groups=4)
                self.conv2 = nn.Conv2D(16, 3, strides=2, padding=1)
                self.sbn = SyncBatchNorm(in_channels=16)
                self.up = nn.Conv2DTranspose(8, 4, strides=2, padding=1, use_bias=True)
                self.conv3 = nn.Conv2D(8, 1)
                self.conv4 = nn.Conv2D(8, 3, padding=1)
                self.head = nn.Conv2D(4, 1)

        def hybrid_forward(self, F, x):
            y = F.relu(self.inorm(self.stem(x)))
            y = F.relu(self.gnorm(self.conv1(y)))
            y = F.hard_sigmoid(self.sbn(self.conv2(y)), alpha=0.3, beta=0.4)
            y = self.conv3(self.up(y))
            near = F.UpSampling(y, scale=2, sample_type="nearest")
            y = F.contrib.BilinearResize2D(near, height=20, width=12, align_corners=False)
            pooled = F.contrib.AdaptiveAvgPooling2D(self.conv4(y), output_size=(5, 3))
            y = F.L2Normalization(self.conv4(y), mode="channel")
            return self.head(y), pooled

    return BlocksNet()


def _recipe():
    net = _blocks_net()
    rng = np.random.RandomState(5)
    return {
        "net": net,
        "inputs": lambda b: [rng.uniform(-1, 1, (b, 3, 16, 12)).astype("float32")],
    }


RECIPES = {"blocks_net": _recipe}
