# SPDX-License-Identifier: Apache-2.0
"""Runs in an MXNet 1.9.1 environment (with scipy for entropy mode): MXNet's own int8 of a
model, with ``mx.contrib.quantization.quantize_net`` on CPU (MKLDNN), and MXNet's logits of it.

Usage: python mx_quantize_int8.py MODEL_DIR CALIB.npz MODE BATCH OUT_DIR [EVAL.npz]
Writes OUT_DIR/model-{symbol.json,0000.params}; with EVAL.npz (array ``data``), also
OUT_DIR/eval_logits.npy, the int8 model's logits on it (batches of 8).
"""

import os
import sys
import warnings

import mxnet as mx
import numpy as np
from mxnet.contrib import quantization as q


def main():
    model_dir, calib, mode, batch, out = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    src = os.path.join(model_dir, "model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = mx.gluon.SymbolBlock.imports(src + "-symbol.json", ["data"], src + "-0000.params")
        data = np.load(calib)["data"]
        it = mx.io.NDArrayIter(data={"data": data}, batch_size=int(batch))
        qnet = q.quantize_net(
            net, quantized_dtype="auto", calib_mode=mode, calib_data=it, ctx=mx.cpu()
        )
        qnet.hybridize(static_alloc=True)
        qnet(mx.nd.array(data[:1]))
        qnet.export(os.path.join(out, "model"))
        if len(sys.argv) > 6:
            x = np.load(sys.argv[6])["data"]
            logits = [qnet(mx.nd.array(x[i : i + 8])).asnumpy() for i in range(0, len(x), 8)]
            np.save(os.path.join(out, "eval_logits.npy"), np.concatenate(logits))


if __name__ == "__main__":
    main()
