# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 oracle environment: exports the serving benchmark's tiny MLP
(784-256-10, ReLU, fixed-seed weights) as OUT_DIR/model-symbol.json + model-0000.params and
records MXNet's output for one input in OUT_DIR/io.npz.

Usage: python mx_export_mlp.py OUT_DIR
"""

import os
import sys

import mxnet as mx
import numpy as np


def main(out):
    mx.random.seed(7)
    np.random.seed(7)
    net = mx.gluon.nn.HybridSequential()
    net.add(
        mx.gluon.nn.Dense(256, activation="relu", in_units=784), mx.gluon.nn.Dense(10, in_units=256)
    )
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = np.random.uniform(0, 1, (4, 784)).astype("float32")
    y = net(mx.nd.array(x)).asnumpy()
    os.makedirs(out, exist_ok=True)
    net.export(os.path.join(out, "model"))
    np.savez(os.path.join(out, "io.npz"), x=x, y=y)


if __name__ == "__main__":
    main(sys.argv[1])
