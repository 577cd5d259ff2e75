# SPDX-License-Identifier: Apache-2.0
"""Runs in an oracle environment: exports one Gluon network built by a recipe (GluonCV, GluonNLP
or plain Gluon) with fixed-seed random weights, and records MXNet's outputs at two batch sizes.

Usage: python mx_gluon.py OUT_DIR FAMILY NAME
FAMILY names tests/oracle/recipes/FAMILY.py, whose RECIPES[NAME]() returns a dict with
  net:     a gluon HybridBlock (initialized or not),
  inputs:  a function batch -> list of numpy arrays in the order net's forward takes them,
  batches: the two batch sizes to record (default (1, 2)),
  init:    optional mxnet Initializer for parameters not initialized yet (default Xavier).
Writes OUT_DIR/model-symbol.json, model-0000.params, io.npz (x{b}_{i}: inputs, y{b}_{k}:
outputs, nested outputs flattened in order) and meta.json (input names and dtypes, batches).
"""

import importlib.util
import json
import os
import sys
import warnings

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_recipes(family):
    path = os.path.join(HERE, "recipes", family + ".py")
    spec = importlib.util.spec_from_file_location("recipes_" + family, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RECIPES


def flatten(out):
    if isinstance(out, (list, tuple)):
        return [y for o in out for y in flatten(o)]
    return [out]


def randomize_norm_stats(net, rng):
    # Random running statistics, so that BatchNorm layers are not identities.
    for pname, param in net.collect_params().items():
        if pname.endswith("running_mean"):
            param.set_data(mx.nd.array(rng.uniform(-0.1, 0.1, param.shape)))
        elif pname.endswith("running_var"):
            param.set_data(mx.nd.array(rng.uniform(0.8, 1.2, param.shape)))


def main():
    out, family, name = sys.argv[1:4]
    mx.random.seed(42)
    np.random.seed(42)
    recipe = load_recipes(family)[name]()
    net = recipe["net"]
    make_inputs = recipe["inputs"]
    batches = tuple(recipe.get("batches", (1, 2)))
    init = recipe.get("init") or mx.init.Xavier(magnitude=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "already initialized" for parts a recipe set up itself
        net.initialize(init=init)
    x0 = make_inputs(batches[0])
    net(*[mx.nd.array(x, dtype=x.dtype) for x in x0])  # completes deferred initialisation
    randomize_norm_stats(net, np.random.RandomState(3))
    net.hybridize(static_alloc=True)
    io = {}
    for b in batches:
        xs = make_inputs(b)
        ys = flatten(net(*[mx.nd.array(x, dtype=x.dtype) for x in xs]))
        for i, x in enumerate(xs):
            io[f"x{b}_{i}"] = x
        for k, y in enumerate(ys):
            io[f"y{b}_{k}"] = y.asnumpy()
    os.makedirs(out, exist_ok=True)
    net.export(os.path.join(out, "model"))
    with open(os.path.join(out, "model-symbol.json")) as f:
        sym = json.load(f)
    names = [sym["nodes"][i]["name"] for i in sym["arg_nodes"]]
    params = set(k.split(":", 1)[1] for k in mx.nd.load(os.path.join(out, "model-0000.params")))
    found = sorted(n for n in names if n not in params)
    # Gluon names the inputs of an exported block data (one) or data0, data1, ... in forward order.
    inputs = ["data"] if len(x0) == 1 else [f"data{i}" for i in range(len(x0))]
    if sorted(inputs) != found:
        raise RuntimeError(f"the export has inputs {found}, the recipe gives {len(x0)} arrays")
    meta = {
        "inputs": inputs,
        "dtypes": [str(x.dtype) for x in x0],
        "batches": list(batches),
        "num_outputs": len([k for k in io if k.startswith(f"y{batches[0]}_")]),
    }
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)
    np.savez(os.path.join(out, "io.npz"), **io)


if __name__ == "__main__":
    main()
