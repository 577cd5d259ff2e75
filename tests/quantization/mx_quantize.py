# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 oracle environment.

``python mx_quantize.py quantize MODEL_DIR CALIB.npz MODE DTYPE BATCH OUT_DIR OURS_PREFIX EXCL``:
quantizes MODEL_DIR/model with ``mx.contrib.quantization.quantize_net`` (the Gluon flow, CPU /
MKLDNN) on the calibration arrays in batches of BATCH, exports it as OUT_DIR/mxnet, and writes
OUT_DIR/outputs.npz with MXNet's int8 logits (``mxnet``) on the ``test`` array of CALIB.npz and,
the logits MXNet computes with the graph at OURS_PREFIX (``ours``). EXCL is a comma-separated
list of layers to exclude (``exclude_layers``), possibly empty. An optional last argument ``0``
skips running (MXNet refuses to run a uint8 graph whose tensors go negative).

``python mx_quantize.py entropy HIST.npz OUT.npz``: MXNet's ``_get_optimal_threshold`` on each
histogram ``hist_K`` / ``edges_K`` / ``min_K`` / ``max_K`` for dtype ``dtype`` (array of str).
"""

import os
import sys

import mxnet as mx
import numpy as np
from mxnet.contrib import quantization as q


def _run(prefix, x):
    net = mx.gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"], prefix + "-0000.params")
    return net(mx.nd.array(x)).asnumpy()


def quantize(model_dir, calib_path, mode, dtype, batch, out_dir, ours, exclude, run="1"):
    os.makedirs(out_dir, exist_ok=True)
    calib = np.load(calib_path)
    src = os.path.join(model_dir, "model")
    net = mx.gluon.SymbolBlock.imports(src + "-symbol.json", ["data"], src + "-0000.params")
    it = mx.io.NDArrayIter(data={"data": calib["data"]}, batch_size=int(batch))
    qnet = q.quantize_net(
        net,
        quantized_dtype=dtype,
        calib_mode=mode,
        calib_data=it,
        ctx=mx.cpu(),
        exclude_layers=[e for e in exclude.split(",") if e],
    )
    if run != "1":  # MXNet cannot run every graph it writes (uint8 with negative tensors)
        qnet.export(os.path.join(out_dir, "mxnet"))
        return
    qnet.hybridize(static_alloc=True)
    test = calib["test"]
    out = {"mxnet": qnet(mx.nd.array(test)).asnumpy()}
    qnet.export(os.path.join(out_dir, "mxnet"))
    out["ours"] = _run(ours, test)
    np.savez(os.path.join(out_dir, "outputs.npz"), **out)


def entropy(hist_path, out_path):
    h = np.load(hist_path)
    dtype = str(h["dtype"])
    out = {}
    k = 0
    while f"hist_{k}" in h:
        data = (h[f"hist_{k}"], h[f"edges_{k}"], float(h[f"min_{k}"]), float(h[f"max_{k}"]), 0)
        _, _, th, div = q._get_optimal_threshold(data, dtype)
        out[f"th_{k}"] = np.float32(th).reshape(1)
        out[f"div_{k}"] = np.float32(div).reshape(1)
        k += 1
    np.savez(out_path, **out)


if __name__ == "__main__":
    if sys.argv[1] == "quantize":
        quantize(*sys.argv[2:])
    else:
        entropy(*sys.argv[2:])
