# SPDX-License-Identifier: Apache-2.0
"""Trains the default model of model_store/: an MLP on scikit-learn's bundled 8x8 handwritten
digits, with MXNet 1.9.1, and exports it as 1/model-symbol.json + 1/model-0000.params.

Run in an environment with mxnet==1.9.1, numpy<1.24 and scikit-learn:
    python model_store/digits_mlp/train.py
Inputs are the 64 pixel values scaled to [0, 1] (sklearn's 0..16 divided by 16), shape (N, 64).
"""

import os

import mxnet as mx
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    mx.random.seed(0)
    np.random.seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target.astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)

    net = mx.gluon.nn.HybridSequential()
    net.add(
        mx.gluon.nn.Dense(128, activation="relu"),
        mx.gluon.nn.Dense(64, activation="relu"),
        mx.gluon.nn.Dense(10),
    )
    net.initialize(mx.init.Xavier())
    net.hybridize()
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = mx.gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.003})
    batches = mx.gluon.data.DataLoader(
        mx.gluon.data.ArrayDataset(x_train, y_train), batch_size=64, shuffle=True
    )
    for _ in range(60):
        for xb, yb in batches:
            with mx.autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(xb.shape[0])
    pred = net(mx.nd.array(x_test)).argmax(axis=1).asnumpy()
    accuracy = float((pred == y_test).mean())
    print(f"test accuracy {accuracy:.4f} on {len(y_test)} digits")
    assert accuracy >= 0.95
    net.export(os.path.join(HERE, "1", "model"))
    np.savez(os.path.join(HERE, "test_digits.npz"), x=x_test[:32], y=y_test[:32].astype("int64"))


if __name__ == "__main__":
    main()
