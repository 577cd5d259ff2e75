# SPDX-License-Identifier: Apache-2.0
"""Runs in an oracle environment: writes the symbol JSON of each gluon.model_zoo.vision network
and the shapes of its parameters, without the weights (for machines that make their own).

Usage: python mx_zoo_symbols.py OUT_DIR NAME [NAME...]
For each NAME writes OUT_DIR/NAME-symbol.json and OUT_DIR/NAME-shapes.json ({"arg": {name:
shape}, "aux": {name: shape}}, the names as a params file would hold them without the arg:/aux:
prefix).
"""

import json
import os
import sys
import tempfile

import mxnet as mx
import numpy as np


def export(name, out_dir):
    from mxnet.gluon.model_zoo import vision

    net = vision.get_model(name)
    net.initialize()
    s = 299 if name.startswith("inception") else 224
    net.hybridize()
    net(mx.nd.array(np.zeros((1, 3, s, s), "float32")))
    with tempfile.TemporaryDirectory() as tmp:
        net.export(os.path.join(tmp, "model"))
        with open(os.path.join(tmp, "model-symbol.json")) as f:
            symbol = f.read()
        params = mx.nd.load(os.path.join(tmp, "model-0000.params"))
    with open(os.path.join(out_dir, f"{name}-symbol.json"), "w") as f:
        f.write(symbol)
    shapes = {"arg": {}, "aux": {}}
    for key, value in params.items():
        kind, pname = key.split(":", 1)
        shapes[kind][pname] = list(value.shape)
    with open(os.path.join(out_dir, f"{name}-shapes.json"), "w") as f:
        json.dump(shapes, f, indent=0)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name in sys.argv[2:]:
        export(name, out_dir)


if __name__ == "__main__":
    main()
