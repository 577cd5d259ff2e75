# SPDX-License-Identifier: Apache-2.0
"""Runs in the MXNet 1.9.1 oracle environment: an exported network on given inputs.

Usage: python mx_run_symbol.py MODEL_DIR IN_NPZ OUT_NPZ
MODEL_DIR holds model-symbol.json and model-0000.params with one input named ``data``; each
array of IN_NPZ is run as one batch and its first output saved under the same name in OUT_NPZ.
"""

import os
import sys

import mxnet as mx
import numpy as np


def main(model_dir, src, dst):
    net = mx.gluon.SymbolBlock.imports(
        os.path.join(model_dir, "model-symbol.json"),
        ["data"],
        os.path.join(model_dir, "model-0000.params"),
    )
    out = {}
    with np.load(src) as f:
        for name in f.files:
            y = net(mx.nd.array(f[name]))
            out[name] = (y[0] if isinstance(y, (list, tuple)) else y).asnumpy()
    np.savez(dst, **out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
