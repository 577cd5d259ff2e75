# SPDX-License-Identifier: Apache-2.0
"""One-node models written by hand, for the rejection tests (bad attributes, shapes and dtypes)
and for attribute spellings MXNet never writes itself. Results are never compared with values
from here: the oracle cases (tests/oracle/cases.py) decide what is right."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import mxserve


def one_node_symbol(
    op: str,
    attrs: Mapping[str, str] | None = None,
    inputs: Sequence[str] = ("data",),
    name: str = "n",
    num_outputs: int = 1,
) -> str:
    """Symbol JSON of one `op` node named `name` reading variables `inputs` in order and
    returning its first `num_outputs` outputs."""
    nodes: list[dict[str, Any]] = [{"op": "null", "name": v, "inputs": []} for v in inputs]
    node: dict[str, Any] = {
        "op": op,
        "name": name,
        "inputs": [[i, 0, 0] for i in range(len(inputs))],
    }
    if attrs:
        node["attrs"] = dict(attrs)
    nodes.append(node)
    k = len(inputs)
    return json.dumps(
        {
            "nodes": nodes,
            "arg_nodes": list(range(k)),
            "heads": [[k, i, 0] for i in range(num_outputs)],
        }
    )


def one_node(
    tmp_path: pathlib.Path,
    op: str,
    attrs: Mapping[str, str] | None = None,
    shapes: Mapping[str, Sequence[int]] | None = None,
    *,
    dtypes: Mapping[str, Any] | None = None,
    params: Mapping[str, np.ndarray] | None = None,
    name: str = "n",
    num_outputs: int = 1,
    version: str | None = None,
) -> mxserve.Predictor:
    """A Predictor of one `op` node. `shapes` are the data inputs (default one input "data" of
    shape (2, 3)), `params` the arrays bound as parameters; the node reads the data inputs, then
    the parameters, in order. `version` sets the JSON's mxnet_version attribute ("2.0.0" style
    graphs use numpy shape semantics)."""
    shapes = dict(shapes or {"data": (2, 3)})
    params = dict(params or {})
    sym = json.loads(one_node_symbol(op, attrs, [*shapes, *params], name, num_outputs))
    if version is not None:
        major, minor, patch = (int(x) for x in version.split("."))
        sym["attrs"] = {"mxnet_version": ["int", major * 10000 + minor * 100 + patch]}
    path = tmp_path / f"{name}.params"
    mxserve.nd.save(path, {f"arg:{k}": np.asarray(v) for k, v in params.items()})
    return mxserve.Predictor(json.dumps(sym), path, input_shapes=shapes, dtypes=dtypes)


def run_one_node(
    tmp_path: pathlib.Path, op: str, attrs: Mapping[str, str] | None, **inputs: np.ndarray
) -> list[np.ndarray]:
    """Runs one `op` node on `inputs` (all data inputs) and returns its outputs."""
    p = one_node(
        tmp_path,
        op,
        attrs,
        {k: v.shape for k, v in inputs.items()},
        dtypes={k: v.dtype for k, v in inputs.items()},
    )
    return list(p(**inputs))
