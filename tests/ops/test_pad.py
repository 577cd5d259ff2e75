# SPDX-License-Identifier: Apache-2.0
"""Pad / pad: constant (default and given value), edge and reflect modes on 4-D and 5-D inputs,
asymmetric widths, float64, against MXNet 1.9.1 (which refuses integer inputs, as mxserve does)."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

P = "out = mx.sym.pad(data, {})"
W4 = "pad_width=(0, 0, 0, 0, 1, 2, 3, 1)"
W5 = "pad_width=(0, 0, 0, 0, 1, 0, 2, 1, 1, 2)"
CASES = [
    case("pad_constant_default", P.format("mode='constant', " + W4), data=(2, 3, 4, 5)),
    case(
        "pad_constant_value",
        P.format("mode='constant', constant_value=-1.5, " + W4),
        data=(1, 2, 3, 4),
    ),
    case("pad_edge", P.format("mode='edge', " + W4), data=(2, 2, 4, 5)),
    case("pad_reflect", P.format("mode='reflect', " + W4), data=(2, 2, 4, 5)),
    case(
        "pad_reflect_max",
        P.format("mode='reflect', pad_width=(0, 0, 0, 0, 3, 3, 4, 4)"),
        data=(1, 2, 4, 5),
    ),
    case(
        "pad_constant_5d",
        P.format("mode='constant', constant_value=2, " + W5),
        data=(1, 2, 3, 4, 3),
    ),
    case("pad_edge_5d", P.format("mode='edge', " + W5), data=(2, 1, 3, 4, 3)),
    case("pad_reflect_5d", P.format("mode='reflect', " + W5), data=(1, 2, 3, 4, 3)),
    case("pad_zero_width", P.format("mode='edge', pad_width=(0,) * 8"), data=(1, 2, 3, 4)),
    case("pad_alias", "out = mx.sym.Pad(data, mode='edge', " + W4 + ")", data=(1, 1, 3, 3)),
    case("pad_large", P.format("mode='reflect', " + W4), data=(2, 16, 20, 31)),
    case(
        "pad_float16_constant",
        P.format("mode='constant', constant_value=0.3, " + W4),
        dtype="float16",
        data=(1, 2, 3, 4),
    ),
    case("pad_float16_edge", P.format("mode='edge', " + W4), dtype="float16", data=(1, 2, 3, 4)),
    Case(
        name="pad_float64_reflect",
        code=P.format("mode='reflect', " + W4),
        inputs={"data": (1, 2, 3, 4)},
        dtypes={"data": "float64"},
    ),
]

test_pad = oracle_test(CASES)

W = "(0, 0, 0, 0, 1, 1, 1, 1)"


def test_pad_rejects_integer_input(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*floating-point"):
        one_node(
            tmp_path,
            "Pad",
            {"mode": "constant", "pad_width": W},
            {"data": (1, 2, 3, 3)},
            dtypes={"data": "int32"},
        )


def test_pad_rejects_missing_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*'mode' is required"):
        one_node(tmp_path, "Pad", {"pad_width": W}, {"data": (1, 2, 3, 3)})


def test_pad_rejects_3d(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*4-D and 5-D"):
        one_node(
            tmp_path,
            "Pad",
            {"mode": "edge", "pad_width": "(0, 0, 0, 0, 1, 1)"},
            {"data": (1, 2, 3)},
        )


def test_pad_rejects_batch_padding(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*first two axes"):
        one_node(
            tmp_path,
            "Pad",
            {"mode": "edge", "pad_width": "(1, 0, 0, 0, 1, 1, 1, 1)"},
            {"data": (1, 2, 3, 3)},
        )


def test_pad_rejects_wrong_width_length(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*pad_width has 8"):
        one_node(tmp_path, "Pad", {"mode": "edge", "pad_width": W}, {"data": (1, 2, 3, 3, 3)})


def test_pad_rejects_wide_reflect(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*reflect padding"):
        one_node(
            tmp_path,
            "Pad",
            {"mode": "reflect", "pad_width": "(0, 0, 0, 0, 3, 1, 1, 1)"},
            {"data": (1, 2, 3, 3)},
        )


def test_pad_rejects_unknown_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pad node 'n'.*mode"):
        one_node(tmp_path, "Pad", {"mode": "wrap", "pad_width": W}, {"data": (1, 2, 3, 3)})
