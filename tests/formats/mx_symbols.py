# SPDX-License-Identifier: Apache-2.0
"""Oracle script: runs symbol JSON files in real MXNet.

Usage: python mx_symbols.py SPEC.json. SPEC is a list of {"symbol", "arrays", "out"}: `arrays`
is an .npz with every argument (inputs and parameters, by argument name); the outputs are
written to `out` (.npz, keys out_0, out_1, ...).
"""

import json
import sys

import mxnet as mx
import numpy as np

for case in json.load(open(sys.argv[1])):
    sym = mx.sym.load(case["symbol"])
    with np.load(case["arrays"]) as f:
        arrays = {k: mx.nd.array(f[k], dtype=f[k].dtype) for k in f.files}
    args = {n: arrays[n] for n in sym.list_arguments()}
    aux = {n: arrays[n] for n in sym.list_auxiliary_states()}
    exe = sym.bind(mx.cpu(), args=args, aux_states=aux, grad_req="null")
    outs = exe.forward(is_train=False)
    np.savez(case["out"], **{f"out_{i}": o.asnumpy() for i, o in enumerate(outs)})
