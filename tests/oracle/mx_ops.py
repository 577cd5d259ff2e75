# SPDX-License-Identifier: Apache-2.0
"""Runs in an oracle environment: builds one-node (or small) symbols, runs them in MXNet and
writes symbol JSON, params, inputs and outputs for each case.

Usage: python mx_ops.py SPEC.json OUT_DIR. SPEC is a list of cases:
  {"name", "code": Python that sets `out` from `mx` and the input variables,
   "inputs": {name: shape}, "dtypes": {name: dtype}, "low", "high", "seed",
   "params": {name: [low, high]} (optional ranges for parameters),
   "np": bool (build with mx.np / npx semantics on MXNet 2)}
Every argument of the symbol that is not an input is a parameter with random values; aux
states (BatchNorm moving stats) get random positive values for variances.
"""

import json
import os
import sys

import mxnet as mx
import numpy as np


def run_case(case, out_dir):
    seed = case.get("seed", 0)
    rng = np.random.RandomState(seed)
    mx.random.seed(seed)
    inputs = case["inputs"]
    dtypes = case.get("dtypes", {})
    low, high = case.get("low", -1.0), case.get("high", 1.0)
    env = {"mx": mx, "np": np}
    for name in inputs:
        env[name] = mx.sym.var(name)
    exec(case["code"], env)
    out = env["out"]
    arg_shapes, _, aux_shapes = out.infer_shape(**{k: tuple(v) for k, v in inputs.items()})
    arg_types, _, aux_types = out.infer_type(**{k: dtypes.get(k, "float32") for k in inputs})
    ranges = case.get("params", {})
    args, aux = {}, {}
    for name, shape, dt in zip(out.list_arguments(), arg_shapes, arg_types):
        if name in inputs:
            if np.issubdtype(np.dtype(dt), np.integer):
                v = rng.randint(int(low), int(high) + 1, size=shape)
            else:
                v = rng.uniform(low, high, size=shape)
        else:
            lo, hi = ranges.get(name, [-1.0, 1.0])
            v = rng.uniform(lo, hi, size=shape)
        args[name] = mx.nd.array(v, dtype=dt)
    for name, shape, dt in zip(out.list_auxiliary_states(), aux_shapes, aux_types):
        lo, hi = ranges.get(name, [0.5, 1.5] if "var" in name else [-0.5, 0.5])
        aux[name] = mx.nd.array(rng.uniform(lo, hi, size=shape), dtype=dt)
    bind = getattr(out, "bind", None) or out._bind  # renamed in MXNet 2.0
    exe = bind(mx.cpu(), args=args, aux_states=aux, grad_req="null")
    outs = [o.asnumpy() for o in exe.forward(is_train=False)]
    d = os.path.join(out_dir, case["name"])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "symbol.json"), "w") as f:
        f.write(out.tojson())
    params = {"arg:" + k: v for k, v in args.items() if k not in inputs}
    params.update({"aux:" + k: v for k, v in aux.items()})
    mx.nd.save(os.path.join(d, "model.params"), params)
    np.savez(os.path.join(d, "inputs.npz"), **{k: args[k].asnumpy() for k in inputs})
    np.savez(os.path.join(d, "outputs.npz"), *outs)


def main():
    spec_path, out_dir = sys.argv[1], sys.argv[2]
    with open(spec_path) as f:
        cases = json.load(f)
    errors = {}
    for case in cases:
        try:
            run_case(case, out_dir)
        except Exception as e:  # recorded so that the test of this case can report it
            errors[case["name"]] = f"{type(e).__name__}: {e}"
    with open(os.path.join(out_dir, "errors.json"), "w") as f:
        json.dump(errors, f)


if __name__ == "__main__":
    main()
