# SPDX-License-Identifier: Apache-2.0
"""Runs in the mxnet 1.9.1 oracle environment: builds one model-zoo network with fixed-seed random
weights, quantizes it with MXNet's own flow (tests/oracle/recipes/quantization.py) and records
the quantized model's outputs on the recipe's test images.

Usage: python mx_quantize.py OUT_DIR MODEL FLOW CALIB_MODE
FLOW is gluon (quantize_net) or symbolic (quantize_model_mkldnn); CALIB_MODE naive or entropy.
Writes OUT_DIR/model-symbol.json, model-0000.params, io.npz (x: test images, y: MXNet's int8
logits, y_fp32: the fp32 network's logits) and meta.json.
"""

import importlib.util
import json
import logging
import os
import sys
import tempfile

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_recipes():
    path = os.path.join(HERE, "recipes", "quantization.py")
    spec = importlib.util.spec_from_file_location("recipes_quantization", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(block, x, batch=32):
    return np.concatenate(
        [block(mx.nd.array(x[i : i + batch])).asnumpy() for i in range(0, len(x), batch)]
    )


def main():
    out, model, flow, calib_mode = sys.argv[1:5]
    logging.getLogger().setLevel(logging.ERROR)
    rec = load_recipes()
    net = rec.build_fp32(mx, model)
    x = rec.test_images(model)
    y_fp32 = run(net, x)
    os.makedirs(out, exist_ok=True)
    prefix = os.path.join(out, "model")
    if flow == "gluon":
        qnet = rec.quantize_gluon(mx, net, model, calib_mode)
        qnet.hybridize(static_alloc=True)
        y = run(qnet, x)
        qnet.export(prefix, epoch=0)
    elif flow == "symbolic":
        with tempfile.TemporaryDirectory() as tmp:
            net.export(os.path.join(tmp, "fp32"), epoch=0)
            sym, args, auxs = mx.model.load_checkpoint(os.path.join(tmp, "fp32"), 0)
        qsym, qargs, qauxs = rec.quantize_symbolic(mx, sym, args, auxs, model, calib_mode)
        mx.model.save_checkpoint(prefix, 0, qsym, qargs, qauxs)
        qnet = mx.gluon.SymbolBlock.imports(
            prefix + "-symbol.json", ["data"], prefix + "-0000.params"
        )
        qnet.hybridize(static_alloc=True)
        y = run(qnet, x)
    else:
        raise SystemExit(f"unknown flow {flow}")
    with open(prefix + "-symbol.json") as f:
        ops = sorted({n["op"] for n in json.load(f)["nodes"]})
    meta = {"model": model, "flow": flow, "calib_mode": calib_mode, "ops": ops}
    np.savez(os.path.join(out, "io.npz"), x=x, y=y, y_fp32=y_fp32)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
