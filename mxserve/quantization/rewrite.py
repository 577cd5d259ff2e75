# SPDX-License-Identifier: Apache-2.0
"""The quantization half: a fused float32 graph becomes MXNet 1.9.1's quantized graph.

Follows MXNet's ``QuantizeGraph`` pass (``quantize_mode="full"``) for the operators that have
quantized CPU forms, then its MKLDNN post-quantization passes: a ``_contrib_quantize_v2`` in
front of each int8 region (named ``<entry>_quantize``), quantized nodes named
``quantized_<name>``, a ``_contrib_dequantize`` (``<name>_dequantize``) where float32 is read
again; the requantize after a fused convolution or quantized ``elemwise_add`` folded into its
``min_calib_range`` / ``max_calib_range``; a FullyConnected whose result is dequantized given
``enable_float_output``; the calibrated ranges of the convolutions that feed one quantized
Concat widened to their union. FullyConnected weights and biases are quantized offline (params
``<w>_quantize``, ``<w>_quantize_min``, ``<w>_quantize_max``); convolution weights stay float32.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .graph import Entry, Graph, Node, output_name
from .ops import (
    FUSED_CONV,
    FUSED_FC,
    QUANTIZED_NAMES,
    num_outputs,
    output_suffix,
    quantizable,
    quantized_input,
    visible_outputs,
)


@dataclass
class QuantizedGraph:
    """The result of :func:`quantize_graph` before calibration."""

    graph: Graph
    #: float32 entries (of the fused graph) whose range calibration must observe, each with
    #: the nodes whose ``min_calib_range`` / ``max_calib_range`` it sets.
    calib: dict[str, list[Node]]
    #: float32 entries of the fused graph by name (what to observe for each calib name).
    entries: dict[str, Entry]
    #: parameters quantized offline: new name -> original name.
    offline: dict[str, str]
    #: quantized FullyConnected nodes whose requantize is followed by a dequantize.
    float_output: list[Node]
    quantized_dtype: str


def _fmt(v: float) -> str:
    return f"{float(v) + 0.0:.6f}"  # -0.0 prints as 0.000000, as MXNet's ranges do


def quantize_graph(
    fused: Graph,
    params: Mapping[str, object],
    quantized_dtype: str = "auto",
    exclude_layers: Sequence[str] = (),
    exclude_operators: Sequence[str] = (),
) -> QuantizedGraph:
    """Rewrites the fused float32 graph into quantized form (ranges still unset)."""
    excluded = set(exclude_layers)
    excluded_ops = set(exclude_operators)

    def wants(node: Node) -> bool:
        if not quantizable(node) or node.name in excluded or node.op in excluded_ops:
            return False
        for sub in node.subgraphs:
            if any(n.name in excluded or n.op in excluded_ops for n in sub.topo()):
                return False
        return True

    order = fused.topo()
    quantized = {id(n) for n in order if wants(n)}
    mirror: dict[int, Node] = {}
    quantize_of: dict[tuple[int, int], Node] = {}
    calib: dict[str, list[Node]] = {}
    entries: dict[str, Entry] = {}
    offline: dict[str, str] = {}
    requant: dict[int, Node] = {}  # fp32 id -> quantized node whose output range is calibrated

    def calib_on(entry: Entry, node: Node) -> None:
        name = output_name(entry, visible_outputs)
        entries[name] = entry
        calib.setdefault(name, []).append(node)

    def quantize_entry(e: Entry) -> Node:
        key = e.key()
        if key not in quantize_of:
            src = mirror[id(e.node)]
            if e.node.is_variable and e.node.name in params:
                q = Node("null", f"{e.node.name}_quantize")
                offline[q.name] = e.node.name
                quantize_of[key] = q
            else:
                suffix = "" if e.node.is_variable else output_suffix(e.node, e.index)
                q = Node(
                    "_contrib_quantize_v2",
                    f"{e.node.name}{suffix}_quantize",
                    {"out_type": quantized_dtype},
                    [Entry(src, e.index, e.version)],
                )
                calib_on(e, q)
                quantize_of[key] = q
        return quantize_of[key]

    def min_max(e: Entry) -> list[Entry]:
        if id(e.node) in quantized:
            src = mirror[id(e.node)]
            n_out = num_outputs(src) - 2
            return [Entry(src, n_out + 2 * e.index), Entry(src, n_out + 2 * e.index + 1)]
        q = quantize_of[e.key()]
        if q.is_variable:
            return [Entry(Node("null", f"{q.name}_min")), Entry(Node("null", f"{q.name}_max"))]
        return [Entry(q, 1), Entry(q, 2)]

    dequantized: dict[int, Node] = {}

    def float_entry(e: Entry) -> Entry:
        if id(e.node) in quantized:
            if id(e.node) not in dequantized:
                src = mirror[id(e.node)]
                n_out = num_outputs(src) - 2
                dequantized[id(e.node)] = Node(
                    "_contrib_dequantize",
                    f"{e.node.name}_dequantize",
                    {},
                    [
                        Entry(src, e.index),
                        Entry(src, n_out + 2 * e.index),
                        Entry(src, n_out + 2 * e.index + 1),
                    ],
                )
            return Entry(dequantized[id(e.node)], 0, 0)
        return Entry(mirror[id(e.node)], e.index, e.version)

    offline_vars: dict[str, Node] = {}

    def offline_var(name: str) -> Node:
        return offline_vars.setdefault(name, Node("null", name))

    for node in order:
        if id(node) not in quantized:
            new = Node(
                node.op,
                node.name,
                dict(node.attrs),
                [float_entry(e) for e in node.inputs],
                node.subgraphs,
            )
            mirror[id(node)] = new
            continue
        if node.op in (FUSED_CONV, FUSED_FC):
            attrs = dict(node.attrs)
            attrs["quantized"] = "true" if node.op == FUSED_CONV else "True"
            new = Node(node.op, f"quantized_{node.name}", attrs, [], node.subgraphs)
        else:
            new = Node(QUANTIZED_NAMES[node.op], f"quantized_{node.name}", dict(node.attrs))
        ranges: list[Entry] = []
        for i, e in enumerate(node.inputs):
            if not quantized_input(node, i):
                new.inputs.append(Entry(mirror[id(e.node)], e.index, e.version))
                continue
            if id(e.node) in quantized:
                new.inputs.append(Entry(mirror[id(e.node)], e.index, e.version))
            else:
                q = quantize_entry(e)
                new.inputs.append(Entry(offline_var(q.name) if q.is_variable else q, 0, 0))
            ranges.extend(min_max(e))
        for r in ranges:
            if r.node.is_variable:
                r.node = offline_var(r.node.name)
        new.inputs.extend(ranges)
        mirror[id(node)] = new
        if node.op in (FUSED_CONV, FUSED_FC, "elemwise_add"):
            requant[id(node)] = new
            calib_on(Entry(node, 0), new)

    heads = [float_entry(e) for e in fused.heads]
    graph = Graph(heads)
    float_output = []
    readers = graph.consumers()
    for fp32_id, new in requant.items():
        if new.op != FUSED_FC:
            continue
        users = {id(u): u for u, _ in readers.get(id(new), [])}
        if len(users) == 1 and next(iter(users.values())).op == "_contrib_dequantize":
            deq = next(iter(users.values()))
            float_output.append(new)
            new.attrs["enable_float_output"] = "True"
            for n in graph.topo():
                for k, e in enumerate(n.inputs):
                    if e.node is deq:
                        n.inputs[k] = Entry(new, 0, 0)
            graph.heads = [Entry(new, 0, 0) if h.node is deq else h for h in graph.heads]
    return QuantizedGraph(graph, calib, entries, offline, float_output, quantized_dtype)


def _align_concat_scales(graph: Graph) -> None:
    """MXNet's scale alignment: the calibrated producers feeding one quantized Concat (through
    quantized Concat / Pooling nodes) all take the union of their ranges."""
    readers = graph.consumers()
    passthrough = ("_contrib_quantized_concat", "_contrib_quantized_pooling")
    done: set[int] = set()
    for head in graph.topo():
        if head.op != "_contrib_quantized_concat" or id(head) in done:
            continue
        visit = {id(head)}
        matched: list[Node] = []
        queue = [head]
        select_output = len({id(n) for n, _ in readers.get(id(head), [])}) <= 1
        while queue:
            n = queue.pop(0)
            for e in n.inputs:
                p = e.node
                if p.is_variable or id(p) in visit or any(m is p for m in matched):
                    continue
                if any(id(u) not in visit for u, _ in readers.get(id(p), [])):
                    continue
                if "min_calib_range" in p.attrs and "max_calib_range" in p.attrs:
                    matched.append(p)
                elif p.op in passthrough:
                    visit.add(id(p))
                    queue.append(p)
            if select_output:
                for u, _ in readers.get(id(n), []):
                    if id(u) not in visit and u.op in passthrough:
                        visit.add(id(u))
                        queue.append(u)
        done.update(visit)
        if len(matched) < 2:
            continue
        lo = min([0.0] + [float(p.attrs["min_calib_range"]) for p in matched])
        hi = max([0.0] + [float(p.attrs["max_calib_range"]) for p in matched])
        for p in matched:
            p.attrs["min_calib_range"] = _fmt(lo)
            p.attrs["max_calib_range"] = _fmt(hi)


def set_calibration(q: QuantizedGraph, table: Mapping[str, tuple[float, float]]) -> Graph:
    """Writes the calibrated ranges into the quantized graph (MXNet's
    SetCalibTableToQuantizedGraph + post-quantize passes) and returns it."""
    for name, nodes in q.calib.items():
        if name not in table:
            continue
        lo, hi = table[name]
        for node in nodes:
            if node.op == FUSED_FC and any(node is f for f in q.float_output):
                continue
            node.attrs["min_calib_range"] = _fmt(lo)
            node.attrs["max_calib_range"] = _fmt(hi)
    _align_concat_scales(q.graph)
    return q.graph
