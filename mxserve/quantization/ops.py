# SPDX-License-Identifier: Apache-2.0
"""What the quantization passes need to know about MXNet 1.9.1 operators: output counts,
which operators have quantized forms on CPU (MKLDNN), and what those forms are called."""

from __future__ import annotations

from .graph import Node

#: Operators whose quantized CPU form is a ``_contrib_quantized_*`` operator with the same
#: attributes (MXNet 1.9.1's FQuantizedOp; Pooling only for max and avg pooling).
QUANTIZED_NAMES = {
    "Pooling": "_contrib_quantized_pooling",
    "Flatten": "_contrib_quantized_flatten",
    "flatten": "_contrib_quantized_flatten",
    "Concat": "_contrib_quantized_concat",
    "concat": "_contrib_quantized_concat",
    "elemwise_add": "_contrib_quantized_elemwise_add",
}

#: Fused operators written by the MKLDNN passes; they quantize in place (``quantized`` attr).
FUSED_CONV = "_sg_mkldnn_conv"
FUSED_FC = "_sg_mkldnn_fully_connected"

QUANTIZED_DTYPES = ("auto", "int8", "uint8")

#: Operators that name their outputs (FListOutputNames): the first one is "output"; MXNet names
#: a quantize node after it (``<node>_output_quantize``), others by index (``<node>_0_quantize``).
NAMED_OUTPUTS = {
    "Activation",
    "BatchNorm",
    "Concat",
    "concat",
    "Convolution",
    "Deconvolution",
    "Dropout",
    "FullyConnected",
    "LeakyReLU",
    "LRN",
    "Pooling",
    "softmax",
    "log_softmax",
    "softmin",
    "SoftmaxActivation",
    "UpSampling",
    "LayerNorm",
    "GroupNorm",
    FUSED_CONV,
    FUSED_FC,
}


def output_suffix(node: Node, index: int) -> str:
    """The part MXNet puts between a node's name and ``_quantize`` for its output `index`."""
    if node.op in NAMED_OUTPUTS and index == 0:
        return "_output"
    return f"_{index}"


def is_true(text: str | None) -> bool:
    """MXNet's reading of a boolean attribute."""
    return (text or "").strip().lower() in ("true", "1")


def visible_outputs(node: Node) -> int:
    """Outputs MXNet lists for `node` (BatchNorm shows one of its three)."""
    return 1 if node.is_variable else num_outputs(node, visible=True)


def num_outputs(node: Node, visible: bool = False) -> int:
    """Outputs of `node` (for ``node_row_ptr``); quantized operators add a min and a max."""
    op = node.op
    if op == "null":
        return 1
    if op == "BatchNorm":
        return 1 if visible else 3
    if op == "_contrib_quantize_v2" or op.startswith("_contrib_quantized_"):
        return 3
    if op == "_contrib_requantize":
        return 3
    if op == FUSED_CONV:
        return 3 if is_true(node.attrs.get("quantized")) else 1
    if op == FUSED_FC:
        quantized = is_true(node.attrs.get("quantized"))
        float_out = is_true(node.attrs.get("enable_float_output"))
        return 3 if quantized and not float_out else 1
    if op in ("SliceChannel", "split"):
        return int(node.attrs.get("num_outputs", "1"))
    return 1


def quantizable(node: Node) -> bool:
    """Whether MXNet 1.9.1 on CPU replaces `node` by a quantized operator."""
    if node.op in (FUSED_CONV, FUSED_FC):
        return True
    if node.op == "Pooling":
        return node.attrs.get("pool_type", "max") in ("max", "avg")
    return node.op in QUANTIZED_NAMES


def quantized_input(node: Node, i: int) -> bool:
    """Whether input `i` of quantizable `node` is fed int8/uint8 (the others stay float32:
    the fused convolution's weights, bias and batch-norm parameters)."""
    if node.op != FUSED_CONV:
        return True
    if i == 0:
        return True
    return is_true(node.attrs.get("with_sum")) and i == len(node.inputs) - 1
