# SPDX-License-Identifier: Apache-2.0
"""Runs in an oracle environment: exports Gluon model-zoo networks with fixed-seed random weights
and records MXNet's outputs.

Usage: python mx_models.py OUT_DIR NAME [NAME...]
For each NAME writes OUT_DIR/NAME/{model-symbol.json, model-0000.params, io.npz} where io.npz
holds x1, y1 (batch 1) and x4, y4 (batch 4). NAME may be a model-zoo name or "checkpoint_mlp"
(a classic Module model with a SoftmaxOutput head saved by mx.model.save_checkpoint).
"""

import os
import sys

import mxnet as mx
import numpy as np

MX2 = mx.__version__.startswith("2.")


def input_size(name):
    return 299 if name.startswith("inception") else 224


def export_zoo(name, out):
    from mxnet.gluon.model_zoo import vision

    mx.random.seed(42)
    np.random.seed(42)
    net = vision.get_model(name)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    s = input_size(name)
    zeros = np.zeros((1, 3, s, s), "float32")
    net(mx.np.array(zeros) if MX2 else mx.nd.array(zeros))  # completes deferred initialisation
    # Random running statistics so that BatchNorm is not an identity.
    for pname, param in net.collect_params().items():
        if pname.endswith("running_mean"):
            param.set_data(
                mx.nd.array(np.random.uniform(-0.1, 0.1, param.shape))
                if not MX2
                else mx.np.array(np.random.uniform(-0.1, 0.1, param.shape))
            )
        elif pname.endswith("running_var"):
            param.set_data(
                mx.nd.array(np.random.uniform(0.8, 1.2, param.shape))
                if not MX2
                else mx.np.array(np.random.uniform(0.8, 1.2, param.shape))
            )
    net.hybridize(static_alloc=True)
    rng = np.random.RandomState(7)
    io = {}
    for b in (1, 4):
        x = rng.uniform(-1, 1, (b, 3, s, s)).astype("float32")
        arr = mx.np.array(x) if MX2 else mx.nd.array(x)
        y = net(arr)
        io[f"x{b}"] = x
        io[f"y{b}"] = y.asnumpy()
    net.export(os.path.join(out, "model"))
    np.savez(os.path.join(out, "io.npz"), **io)


def export_checkpoint_mlp(out):
    mx.random.seed(3)
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=32, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=10, name="fc2")
    net = mx.sym.SoftmaxOutput(h, name="softmax")
    mod = mx.mod.Module(net, data_names=["data"], label_names=["softmax_label"])
    mod.bind(
        data_shapes=[("data", (4, 20))], label_shapes=[("softmax_label", (4,))], for_training=False
    )
    mod.init_params(mx.init.Uniform(0.5))
    rng = np.random.RandomState(5)
    io = {}
    for b in (1, 4):
        x = rng.uniform(-1, 1, (b, 20)).astype("float32")
        mod.reshape(data_shapes=[("data", (b, 20))], label_shapes=[("softmax_label", (b,))])
        mod.forward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.zeros((b,))]), is_train=False)
        io[f"x{b}"] = x
        io[f"y{b}"] = mod.get_outputs()[0].asnumpy()
    mx.model.save_checkpoint(os.path.join(out, "model"), 0, net, *mod.get_params())
    np.savez(os.path.join(out, "io.npz"), **io)


def main():
    out_dir = sys.argv[1]
    for name in sys.argv[2:]:
        out = os.path.join(out_dir, name)
        os.makedirs(out, exist_ok=True)
        if name == "checkpoint_mlp":
            export_checkpoint_mlp(out)
        else:
            export_zoo(name, out)


if __name__ == "__main__":
    main()
