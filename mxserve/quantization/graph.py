# SPDX-License-Identifier: Apache-2.0
"""A small mutable view of an MXNet symbol JSON graph, read and written the way NNVM does.

Nodes keep MXNet's names, attribute strings and nested subgraphs; :func:`write_json` lays them
out in NNVM's depth-first post-order from the heads, so a rewritten graph serialises in the
order MXNet itself would write it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidArgumentError

MXNET_VERSION = 10901


@dataclass(eq=False)
class Node:
    """One graph node: ``op == "null"`` for a variable."""

    op: str
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    inputs: list[Entry] = field(default_factory=list)
    subgraphs: list[Graph] = field(default_factory=list)

    @property
    def is_variable(self) -> bool:
        return self.op == "null"


@dataclass(eq=False)
class Entry:
    """Output `index` of `node` (`version` is kept as MXNet wrote it)."""

    node: Node
    index: int = 0
    version: int = 0

    def key(self) -> tuple[int, int]:
        return (id(self.node), self.index)


@dataclass(eq=False)
class Graph:
    """The heads of a graph; nodes are reached from them."""

    heads: list[Entry]
    attrs: dict[str, Any] = field(default_factory=dict)

    def topo(self) -> list[Node]:
        """Nodes in NNVM's DFS post-order (inputs in order, then the node)."""
        return dfs([e.node for e in self.heads])

    def consumers(self) -> dict[int, list[tuple[Node, int]]]:
        """For each node id, the (consumer, input position) pairs that read it."""
        out: dict[int, list[tuple[Node, int]]] = {}
        for n in self.topo():
            for i, e in enumerate(n.inputs):
                out.setdefault(id(e.node), []).append((n, i))
        return out


def dfs(roots: Iterable[Node]) -> list[Node]:
    """Post-order of every node reachable from `roots`, visiting inputs in order."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        stack: list[tuple[Node, int]] = [(root, 0)]
        seen.add(id(root))
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                child = node.inputs[i].node
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                order.append(node)
    return order


def _read_nodes(obj: dict[str, Any], where: str) -> Graph:
    try:
        raw_nodes = obj["nodes"]
        raw_heads = obj["heads"]
    except (KeyError, TypeError):
        raise InvalidArgumentError(f"{where}: not an MXNet symbol (no 'nodes' / 'heads')") from None
    nodes: list[Node] = []
    for k, raw in enumerate(raw_nodes):
        attrs = raw.get("attrs", raw.get("attr", raw.get("param", {}))) or {}
        node = Node(str(raw["op"]), str(raw["name"]), {str(a): str(v) for a, v in attrs.items()})
        for inp in raw.get("inputs", []):
            if not 0 <= inp[0] < k:
                raise InvalidArgumentError(
                    f"{where}: node '{node.name}' reads node {inp[0]}, which is not before it"
                )
            node.inputs.append(
                Entry(nodes[inp[0]], int(inp[1]), int(inp[2]) if len(inp) > 2 else 0)
            )
        node.subgraphs = [
            _read_nodes(s, f"{where}: subgraph of '{node.name}'") for s in raw.get("subgraphs", [])
        ]
        nodes.append(node)
    heads = [Entry(nodes[h[0]], int(h[1]), int(h[2]) if len(h) > 2 else 0) for h in raw_heads]
    return Graph(heads, dict(obj.get("attrs", {})))


def read_json(text: str | bytes) -> Graph:
    """Parses symbol JSON text."""
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise InvalidArgumentError(f"symbol JSON does not parse: {e}") from None
    return _read_nodes(obj, "symbol")


def _node_json(
    node: Node, index: dict[int, int], num_outputs: Callable[[Node], int]
) -> dict[str, Any]:
    out: dict[str, Any] = {"op": node.op, "name": node.name}
    if node.attrs:
        out["attrs"] = dict(sorted(node.attrs.items()))
    out["inputs"] = [[index[id(e.node)], e.index, e.version] for e in node.inputs]
    if node.subgraphs:
        out["subgraphs"] = [_graph_json(g, num_outputs) for g in node.subgraphs]
    return out


def _graph_json(graph: Graph, num_outputs: Callable[[Node], int]) -> dict[str, Any]:
    order = graph.topo()
    index = {id(n): k for k, n in enumerate(order)}
    row = [0]
    for n in order:
        row.append(row[-1] + num_outputs(n))
    obj: dict[str, Any] = {
        "nodes": [_node_json(n, index, num_outputs) for n in order],
        "arg_nodes": [k for k, n in enumerate(order) if n.is_variable],
        "node_row_ptr": row,
        "heads": [[index[id(e.node)], e.index, e.version] for e in graph.heads],
    }
    if graph.attrs:
        obj["attrs"] = graph.attrs
    return obj


def write_json(graph: Graph, num_outputs: Callable[[Node], int]) -> str:
    """Symbol JSON of `graph` (MXNet 1.9.1's layout; `num_outputs` gives each node's output
    count for ``node_row_ptr``)."""
    graph.attrs = {"mxnet_version": ["int", MXNET_VERSION]}
    return json.dumps(_graph_json(graph, num_outputs), indent=2)


def output_name(entry: Entry, visible_outputs: Callable[[Node], int]) -> str:
    """MXNet's name of an entry: a variable's name, ``NAME_output`` for a node with one
    visible output, ``NAME_outputI`` otherwise."""
    node = entry.node
    if node.is_variable:
        return node.name
    if visible_outputs(node) == 1:
        return f"{node.name}_output"
    return f"{node.name}_output{entry.index}"


def replace_uses(graph: Graph, old: Node, new: Entry, index: int | None = None) -> None:
    """Points every reader of `old` (of its output `index`, or of any output) at `new`."""
    for n in graph.topo():
        for k, e in enumerate(n.inputs):
            if e.node is old and (index is None or e.index == index):
                n.inputs[k] = Entry(new.node, new.index, new.version)
    for k, e in enumerate(graph.heads):
        if e.node is old and (index is None or e.index == index):
            graph.heads[k] = Entry(new.node, new.index, new.version)
