# SPDX-License-Identifier: Apache-2.0
"""Runs an oracle case's exported model after editing its symbol JSON: for alias names that
MXNet never writes itself (it exports canonical names) and for rejection tests that need a
valid params file."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from oracle.cases import Case, run_cases

import mxserve


def node_of(sym: dict[str, Any], op: str) -> dict[str, Any]:
    """The single node of `sym` whose op is `op`."""
    (node,) = [n for n in sym["nodes"] if n["op"] == op]
    return node


def run_patched(
    cases: Sequence[Case],
    name: str,
    patch: Callable[[dict[str, Any]], None],
    version: str = "1.9.1",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Loads case `name` (run in MXNet `version`), applies `patch` to its symbol, and returns
    (mxserve outputs, MXNet outputs of the unpatched symbol)."""
    d = run_cases(cases, version) / name
    sym = json.loads((d / "symbol.json").read_text())
    patch(sym)
    with np.load(d / "inputs.npz") as f:
        inputs = {k: f[k] for k in f.files}
    with np.load(d / "outputs.npz") as f:
        expected = [f[k] for k in sorted(f.files, key=lambda s: int(s.split("_")[1]))]
    p = mxserve.Predictor(
        json.dumps(sym),
        d / "model.params",
        input_shapes={k: v.shape for k, v in inputs.items()},
        dtypes={k: v.dtype for k, v in inputs.items()},
    )
    return list(p(**inputs)), expected


def set_op(op: str, new_op: str, **attrs: str) -> Callable[[dict[str, Any]], None]:
    """A patch that renames the `op` node to `new_op` and sets `attrs` on it."""

    def patch(sym: dict[str, Any]) -> None:
        node = node_of(sym, op)
        node["op"] = new_op
        node.setdefault("attrs", {}).update(attrs)

    return patch
