# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 oracle environment: exports Gluon networks cast to float16 with
net.cast('float16') (fixed-seed random weights) and records MXNet's outputs for them.

MXNet has no CPU float16 kernels for Convolution and FullyConnected (they raise), so the
reference is the exported network (its float16 weights) run by MXNet in float32 on the float16
inputs, rounded to float16: what a float16 GPU run computes, without its intermediate roundings.

Usage: python mx_float16.py OUT_DIR NAME [NAME...]
For each NAME writes OUT_DIR/NAME/{model-symbol.json, model-0000.params, io.npz} where io.npz
holds x1, y1 (batch 1) and x2, y2 (batch 2), all float16. NAME is "resnet18_v1" (model zoo) or
"mlp" (Dense, BatchNorm, Activation, Dropout, softmax and element-wise ops).
"""

import os
import sys

import mxnet as mx
import numpy as np
from mxnet.gluon import nn


class MLP(nn.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = nn.Dense(64)
        self.bn = nn.BatchNorm()
        self.fc2 = nn.Dense(32, activation="tanh")
        self.drop = nn.Dropout(0.5)
        self.fc3 = nn.Dense(10)

    def hybrid_forward(self, F, x):
        h = F.Activation(self.bn(self.fc1(x)), act_type="relu")
        h = self.drop(self.fc2(h))
        h = h * 0.5 + F.sigmoid(h)
        return F.softmax(self.fc3(h), axis=-1)


def build(name):
    if name == "resnet18_v1":
        from mxnet.gluon.model_zoo import vision

        return vision.get_model(name), (3, 224, 224)
    return MLP(), (48,)


def export(name, out):
    mx.random.seed(42)
    np.random.seed(42)
    net, shape = build(name)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    net(mx.nd.zeros((1, *shape)))
    for pname, param in net.collect_params().items():
        if pname.endswith("running_mean"):
            param.set_data(mx.nd.array(np.random.uniform(-0.1, 0.1, param.shape)))
        elif pname.endswith("running_var"):
            param.set_data(mx.nd.array(np.random.uniform(0.8, 1.2, param.shape)))
        elif pname.endswith("gamma") or pname.endswith("beta"):
            param.set_data(mx.nd.array(np.random.uniform(0.5, 1.5, param.shape)))
    net.cast("float16")
    # MXNet cannot run the float16 network on CPU, so the export is written from its symbol
    # (float16 variables) and parameters as HybridBlock.export would write them.
    sym = net(mx.sym.var("data", dtype="float16"))
    sym.save(os.path.join(out, "model-symbol.json"))
    aux = set(sym.list_auxiliary_states())
    params = {
        ("aux:" if name in aux else "arg:") + name: p.data()
        for name, p in net.collect_params().items()
    }
    mx.nd.save(os.path.join(out, "model-0000.params"), params)
    ref = nn.SymbolBlock.imports(
        os.path.join(out, "model-symbol.json"), ["data"], os.path.join(out, "model-0000.params")
    )
    ref.cast("float32")
    rng = np.random.RandomState(7)
    io = {}
    for b in (1, 2):
        x = rng.uniform(-1, 1, (b, *shape)).astype("float16")
        io[f"x{b}"] = x
        io[f"y{b}"] = ref(mx.nd.array(x, dtype="float32")).asnumpy().astype("float16")
    np.savez(os.path.join(out, "io.npz"), **io)


def main():
    out_dir = sys.argv[1]
    for name in sys.argv[2:]:
        out = os.path.join(out_dir, name)
        os.makedirs(out, exist_ok=True)
        export(name, out)


if __name__ == "__main__":
    main()
