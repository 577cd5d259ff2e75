# SPDX-License-Identifier: Apache-2.0
"""Node-by-node comparison of two MXNet symbol JSON graphs (ours against MXNet's own)."""

from __future__ import annotations

import json
import pathlib
from typing import Any

CALIB = ("min_calib_range", "max_calib_range")


def _nodes(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj["nodes"]


def _inputs(nodes: list[dict[str, Any]], node: dict[str, Any]) -> list[tuple[str, int]]:
    return [(nodes[i[0]]["name"], i[1]) for i in node["inputs"]]


def graph_differences(
    ours: dict[str, Any], theirs: dict[str, Any], rtol: float = 0.05, atol: float = 1e-3
) -> list[str]:
    """Every difference in node order, op, name, inputs, attributes and subgraphs; the
    calibrated ranges may differ within `rtol` of the range's magnitude or `atol`."""
    diffs: list[str] = []
    a, b = _nodes(ours), _nodes(theirs)
    if len(a) != len(b):
        diffs.append(f"{len(a)} nodes against {len(b)}")
    for k, (x, y) in enumerate(zip(a, b)):
        where = f"node {k} ({y['name']})"
        for key in ("op", "name"):
            if x[key] != y[key]:
                diffs.append(f"{where}: {key} {x[key]!r} against {y[key]!r}")
        if _inputs(a, x) != _inputs(b, y):
            diffs.append(f"{where}: inputs {_inputs(a, x)} against {_inputs(b, y)}")
        xa, ya = x.get("attrs", {}), y.get("attrs", {})
        if y["op"] != "null" and set(xa) != set(ya):
            diffs.append(f"{where}: attrs {sorted(xa)} against {sorted(ya)}")
        for key in set(xa) & set(ya):
            if key in CALIB:
                u, v = float(xa[key]), float(ya[key])
                scale = max(
                    abs(float(ya.get("min_calib_range", 0))),
                    abs(float(ya.get("max_calib_range", 0))),
                )
                if abs(u - v) > atol + rtol * scale:
                    diffs.append(f"{where}: {key} {u} against {v}")
            elif xa[key] != ya[key]:
                diffs.append(f"{where}: {key}={xa[key]!r} against {ya[key]!r}")
        xs, ys = x.get("subgraphs", []), y.get("subgraphs", [])
        if len(xs) != len(ys):
            diffs.append(f"{where}: {len(xs)} subgraphs against {len(ys)}")
        for s, t in zip(xs, ys):
            diffs.extend(f"{where}: subgraph: {d}" for d in graph_differences(s, t, rtol, atol))
    if [(a[h[0]]["name"], h[1]) for h in ours["heads"]] != [
        (b[h[0]]["name"], h[1]) for h in theirs["heads"]
    ]:
        diffs.append("heads differ")
    return diffs


def file_differences(ours: pathlib.Path, theirs: pathlib.Path, **kw: Any) -> list[str]:
    """:func:`graph_differences` of two symbol files."""
    return graph_differences(json.loads(ours.read_text()), json.loads(theirs.read_text()), **kw)
