# SPDX-License-Identifier: Apache-2.0
"""Pad / pad: constant (default and given value), edge and reflect modes on 4-D and 5-D inputs,
asymmetric widths, float64, against MXNet 1.9.1 (which refuses integer inputs, as mxserve does);
_npi_pad (np.pad: every mode, widths beyond the axis length) against MXNet 2.0."""

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

N = "x = data.as_np_ndarray()\nout = mx.sym.np.pad(x, {})"
CASES2 = [
    case("np_pad_constant", N.format("((1, 2), (3, 0))"), data=(3, 4)),
    case(
        "np_pad_constant_value",
        N.format("((0, 1), (2, 2), (1, 0)), constant_values=2.5"),
        data=(2, 3, 2),
    ),
    case("np_pad_edge", N.format("((2, 1), (1, 3)), mode='edge'"), data=(3, 4)),
    case("np_pad_reflect", N.format("((2, 1), (1, 3)), mode='reflect'"), data=(3, 5)),
    case("np_pad_reflect_wide", N.format("((5, 7), (0, 9)), mode='reflect'"), data=(3, 4)),
    case("np_pad_symmetric", N.format("((2, 1), (1, 3)), mode='symmetric'"), data=(3, 5)),
    case("np_pad_symmetric_wide", N.format("((7, 5), (9, 0)), mode='symmetric'"), data=(3, 4)),
    case("np_pad_maximum", N.format("((2, 1), (1, 3)), mode='maximum'"), data=(3, 4)),
    case("np_pad_minimum_3d", N.format("((1, 1), (0, 2), (2, 1)), mode='minimum'"), data=(2, 3, 4)),
    case("np_pad_reflect_size1", N.format("((2, 2), (1, 1)), mode='reflect'"), data=(1, 3)),
    case(
        "np_pad_4d_edge",
        N.format("((0, 0), (1, 0), (2, 2), (1, 1)), mode='edge'"),
        data=(2, 2, 3, 3),
    ),
    Case(
        name="np_pad_int32",
        code=N.format("((1, 1), (2, 0)), constant_values=7"),
        inputs={"data": (3, 4)},
        dtypes={"data": "int32"},
        low=-9,
        high=9,
    ),
]

test_pad_np = oracle_test(CASES2, version="2.0.0b1")

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


def test_npi_pad_rejects_wrong_pair_count(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_pad node 'n'.*2 \(before, after\)"
    ):
        one_node(tmp_path, "_npi_pad", {"pad_width": "((1, 1), (1, 1))"}, {"data": (2, 3, 4)})


def test_npi_pad_rejects_unknown_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_pad node 'n'.*mode"):
        one_node(
            tmp_path,
            "_npi_pad",
            {"pad_width": "((1, 1), (1, 1))", "mode": "wrap"},
            {"data": (2, 3)},
        )


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
