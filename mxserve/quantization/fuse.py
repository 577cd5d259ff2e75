# SPDX-License-Identifier: Apache-2.0
"""The fusion half of MXNet 1.9.1's ``MKLDNN_QUANTIZE`` backend, on a float32 graph.

Inference Dropout is dropped; each Convolution with what follows it (BatchNorm, then an
``elemwise_add`` with another branch, then a relu / leaky relu / GELU / ``clip(0, x)``) becomes
one ``_sg_mkldnn_conv`` node, and each FullyConnected (with a following activation) one
``_sg_mkldnn_fully_connected``, holding the original nodes as a subgraph. Names, attribute
flags, subgraph variable names and input order are MXNet's, so the quantized graph written
from this matches ``quantize_net``'s node for node.
"""

from __future__ import annotations

from collections.abc import Callable

from .graph import Entry, Graph, Node, output_name, replace_uses
from .ops import FUSED_CONV, FUSED_FC, visible_outputs

Readers = dict[int, list[tuple[Node, int]]]
ChainFn = Callable[[Node, Readers, set[int]], list[Node]]


def remove_dropout(graph: Graph) -> None:
    """Inference-mode Dropout is the identity: its readers read its input instead."""
    for node in graph.topo():
        if node.op == "Dropout" and node.attrs.get("mode", "training") != "always":
            replace_uses(graph, node, node.inputs[0])


def _single_reader(
    node: Node, readers: dict[int, list[tuple[Node, int]]], heads: set[int]
) -> Node | None:
    users = readers.get(id(node), [])
    if id(node) in heads or len(users) != 1:
        return None
    return users[0][0]


def _reaches(start: Node, targets: set[int]) -> bool:
    """Whether `start` depends on any node in `targets`."""
    stack, seen = [start], set()
    while stack:
        n = stack.pop()
        if id(n) in targets:
            return True
        if id(n) in seen:
            continue
        seen.add(id(n))
        stack.extend(e.node for e in n.inputs)
    return False


def _conv_chain(
    conv: Node, readers: dict[int, list[tuple[Node, int]]], heads: set[int]
) -> list[Node]:
    chain = [conv]
    status = "start"
    while True:
        nxt = _single_reader(chain[-1], readers, heads)
        if nxt is None:
            return chain
        if status == "start" and nxt.op == "BatchNorm":
            chain.append(nxt)
            status = "bn"
            continue
        if status in ("start", "bn") and nxt.op == "elemwise_add":
            other = [e.node for e in nxt.inputs if e.node is not chain[-1]]
            if len(other) == 1 and not _reaches(other[0], {id(n) for n in chain}):
                chain.append(nxt)
                status = "sum"
                continue
            return chain
        if nxt.op == "Activation" and nxt.attrs.get("act_type") == "relu":
            chain.append(nxt)
        elif nxt.op == "LeakyReLU" and nxt.attrs.get("act_type", "leaky") in ("leaky", "gelu"):
            chain.append(nxt)
        elif nxt.op == "clip" and status != "sum" and float(nxt.attrs.get("a_min", "nan")) == 0:
            chain.append(nxt)
        return chain


def _fc_chain(fc: Node, readers: dict[int, list[tuple[Node, int]]], heads: set[int]) -> list[Node]:
    nxt = _single_reader(fc, readers, heads)
    if nxt is None:
        return [fc]
    if nxt.op == "Activation" and nxt.attrs.get("act_type") == "relu":
        return [fc, nxt]
    if nxt.op == "LeakyReLU" and nxt.attrs.get("act_type", "leaky") in ("leaky", "elu", "gelu"):
        return [fc, nxt]
    if nxt.op == "abs" or (nxt.op == "clip" and float(nxt.attrs.get("a_min", "nan")) == 0):
        return [fc, nxt]
    return [fc]


def _make_subgraph(chain: list[Node]) -> tuple[Graph, list[Entry]]:
    """Copies `chain` into a subgraph whose external inputs become variables named as
    MXNet's CutGraphInputs names them; returns it and the external entries in order."""
    inside = {id(n) for n in chain}
    copies: dict[int, Node] = {}
    externals: list[Entry] = []
    var_of: dict[tuple[int, int], Node] = {}
    counts: dict[str, int] = {}
    for n in chain:
        inputs = list(n.inputs)
        if n.op == "elemwise_add" and id(inputs[1].node) in inside:
            inputs = [inputs[1], inputs[0]]  # the fused branch is the left operand
        new_inputs = []
        for e in inputs:
            if id(e.node) in inside:
                new_inputs.append(Entry(copies[id(e.node)], e.index, 0))
                continue
            base = output_name(e, visible_outputs)
            k = counts.get(base, -1) + 1
            counts[base] = k
            var = Node("null", f"{base}{k}")
            var_of[e.key()] = var
            externals.append(e)
            new_inputs.append(Entry(var, 0, 0))
        copies[id(n)] = Node(n.op, n.name, dict(n.attrs), new_inputs)
    return Graph([Entry(copies[id(chain[-1])], 0, 0)]), externals


def _fuse(graph: Graph, start_op: str, make_chain: ChainFn, new_op: str) -> None:
    readers = graph.consumers()
    heads = {id(e.node) for e in graph.heads}
    taken: set[int] = set()
    chains = []
    for node in graph.topo():
        if node.op != start_op or id(node) in taken:
            continue
        if start_op == "Convolution" and len(
            node.attrs.get("kernel", "()").strip("()").split(",")
        ) not in (2, 3):
            continue
        chain = make_chain(node, readers, heads)
        chain = [n for n in chain if id(n) not in taken]
        taken.update(id(n) for n in chain)
        chains.append(chain)
    for sub_id, chain in enumerate(chains):
        sub, externals = _make_subgraph(chain)
        if new_op == FUSED_CONV:
            parts, attrs, with_sum = [], {}, False
            for n in chain:
                if n.op == "Convolution":
                    parts.append("conv_")
                elif n.op == "BatchNorm":
                    parts.append("bn_")
                    attrs["with_bn"] = "true"
                elif n.op == "elemwise_add":
                    parts.append("add_")
                    attrs["with_sum"] = "true"
                    with_sum = True
                else:
                    parts.append("act_")
                    attrs["with_postsum_act" if with_sum else "with_act"] = "true"
            name = "sg_mkldnn_" + "".join(parts) + str(sub_id)
        else:
            attrs = {"with_eltwise": "True"} if len(chain) > 1 else {}
            name = (
                "sg_mkldnn_fully_connected_" + ("eltwise_" if len(chain) > 1 else "") + str(sub_id)
            )
        fused = Node(
            new_op, name, attrs, [Entry(e.node, e.index, e.version) for e in externals], [sub]
        )
        replace_uses(graph, chain[-1], Entry(fused, 0, 0))


def fuse_for_quantization(graph: Graph) -> Graph:
    """Applies the float32 half of ``MKLDNN_QUANTIZE`` to `graph` in place and returns it."""
    remove_dropout(graph)
    _fuse(graph, "Convolution", _conv_chain, FUSED_CONV)
    _fuse(graph, "FullyConnected", _fc_chain, FUSED_FC)
    return graph


def original_output(node: Node) -> str:
    """Name of the float32 entry a (possibly fused) node computes, in the unfused graph."""
    if node.op in (FUSED_CONV, FUSED_FC):
        last = node.subgraphs[0].heads[0].node
        return f"{last.name}_output"
    return f"{node.name}_output"
