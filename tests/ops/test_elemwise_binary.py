# SPDX-License-Identifier: Apache-2.0
"""Same-shape binary ops and add_n against MXNet 1.9.1: arithmetic, _maximum/_minimum/_power,
comparisons, integer dtypes, and the rejection of unequal shapes."""

import pytest
from ops._harness import one_node
from oracle.cases import case as mk
from oracle.cases import oracle_test

import mxserve

S = (2, 3, 5)
CASES = [
    mk("elemwise_add", "out = mx.sym.elemwise_add(lhs, rhs)", lhs=S, rhs=S),
    mk("plus_operator", "out = lhs + rhs", lhs=(7,), rhs=(7,)),
    mk("elemwise_sub", "out = mx.sym.elemwise_sub(lhs, rhs)", lhs=S, rhs=S),
    mk("minus_operator", "out = lhs - rhs", lhs=(1, 1, 9), rhs=(1, 1, 9)),
    mk("elemwise_mul", "out = mx.sym.elemwise_mul(lhs, rhs)", lhs=S, rhs=S),
    mk("mul_operator", "out = lhs * rhs", lhs=(4, 33), rhs=(4, 33)),
    mk("elemwise_div", "out = mx.sym.elemwise_div(lhs, rhs)", low=0.5, high=2.0, lhs=S, rhs=S),
    mk("div_operator", "out = lhs / rhs", low=0.5, high=2.0, lhs=(3, 1, 2), rhs=(3, 1, 2)),
    mk("maximum", "out = mx.sym.maximum(lhs, rhs)", lhs=S, rhs=S),
    mk("minimum", "out = mx.sym.minimum(lhs, rhs)", lhs=S, rhs=S),
    mk("power", "out = lhs ** rhs", low=0.1, high=2.0, rtol=1e-5, lhs=S, rhs=S),
    mk("greater_float", "out = lhs > rhs", lhs=S, rhs=S),
    mk("lesser_equal_float", "out = lhs <= rhs", lhs=S, rhs=S),
    mk("equal_int32", "out = lhs == rhs", dtype="int32", low=-2, high=2, lhs=(4, 6), rhs=(4, 6)),
    mk(
        "not_equal_int32", "out = lhs != rhs", dtype="int32", low=-2, high=2, lhs=(4, 6), rhs=(4, 6)
    ),
    mk(
        "greater_equal_int32",
        "out = lhs >= rhs",
        dtype="int32",
        low=-2,
        high=2,
        lhs=(4, 6),
        rhs=(4, 6),
    ),
    mk("add_int32", "out = lhs + rhs", dtype="int32", low=-50, high=50, lhs=S, rhs=S),
    mk("mul_int64", "out = lhs * rhs", dtype="int64", low=-50, high=50, lhs=S, rhs=S),
    mk("div_int32", "out = lhs / rhs", dtype="int32", low=1, high=9, lhs=S, rhs=S),
    mk(
        "maximum_int32",
        "out = mx.sym.maximum(lhs, rhs)",
        dtype="int32",
        low=-9,
        high=9,
        lhs=S,
        rhs=S,
    ),
    mk("add_float64", "out = lhs + rhs", dtype="float64", lhs=S, rhs=S),
    mk("add_n_3", "out = mx.sym.add_n(a, b, c)", a=(2, 17), b=(2, 17), c=(2, 17)),
    mk("element_wise_sum_1", "out = mx.sym.ElementWiseSum(a)", a=(5,)),
    mk(
        "add_n_5",
        "out = mx.sym.add_n(a, b, c, d, e)",
        a=(3, 4),
        b=(3, 4),
        c=(3, 4),
        d=(3, 4),
        e=(3, 4),
    ),
    mk(
        "add_n_int32",
        "out = mx.sym.add_n(a, b, c)",
        dtype="int32",
        low=-9,
        high=9,
        a=(6,),
        b=(6,),
        c=(6,),
    ),
    mk(
        "add_then_mul_inplace",
        "out = mx.sym.elemwise_mul(mx.sym.elemwise_add(lhs, rhs), rhs)",
        lhs=S,
        rhs=S,
    ),
    mk("lesser_float", "out = lhs < rhs", lhs=S, rhs=S),
    mk(
        "logical_and",
        "out = mx.sym._internal._logical_and(lhs, rhs)",
        dtype="int32",
        low=-1,
        high=1,
        lhs=S,
        rhs=S,
    ),
    mk("logical_or", "out = mx.sym._internal._logical_or(mx.sym.round(lhs), rhs)", lhs=S, rhs=S),
    mk(
        "logical_xor",
        "out = mx.sym._internal._logical_xor(lhs, rhs)",
        dtype="int32",
        low=-1,
        high=1,
        lhs=S,
        rhs=S,
    ),
    mk("mod_operator", "out = lhs % rhs", low=-3.0, high=3.0, lhs=S, rhs=S),
    mk("mod_internal", "out = mx.sym._internal._mod(lhs, rhs)", low=-3.0, high=3.0, lhs=S, rhs=S),
    mk("mod_int32_signs", "out = lhs % rhs", dtype="int32", low=-7, high=7, lhs=(6, 9), rhs=(6, 9)),
    mk("mod_int64", "out = lhs % rhs", dtype="int64", low=-20, high=20, lhs=(40,), rhs=(40,)),
    mk("mod_float64", "out = lhs % rhs", dtype="float64", low=-3.0, high=3.0, lhs=S, rhs=S),
    mk("hypot", "out = mx.sym._internal._hypot(lhs, rhs)", low=-4.0, high=4.0, lhs=S, rhs=S),
    mk("hypot_function", "out = mx.sym.hypot(lhs, rhs)", lhs=S, rhs=S),
    mk(
        "hypot_int32",
        "out = mx.sym._internal._Hypot(lhs, rhs)",
        dtype="int32",
        low=-9,
        high=9,
        lhs=(4, 5),
        rhs=(4, 5),
    ),
]

test_elemwise_binary = oracle_test(CASES)


def test_elemwise_add_rejects_unequal_shapes(tmp_path):
    shapes = {"lhs": (2, 3), "rhs": (3, 2)}
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"elemwise_add node 'node'.*\(3, 2\).*\(2, 3\)"
    ):
        one_node(tmp_path, "elemwise_add", {}, shapes, name="node")


def test_add_n_rejects_wrong_num_args(tmp_path):
    shapes = {"a": (2,), "b": (2,)}
    with pytest.raises(mxserve.InvalidArgumentError, match="num_args must be at least 1"):
        one_node(tmp_path, "add_n", {"num_args": "0"}, shapes, name="node")


def test_elemwise_mul_rejects_unknown_attribute(tmp_path):
    shapes = {"lhs": (2,), "rhs": (2,)}
    with pytest.raises(mxserve.InvalidArgumentError, match="axis"):
        one_node(tmp_path, "_mul", {"axis": "1"}, shapes, name="node")


def test_mod_rejects_unequal_shapes(tmp_path):
    shapes = {"lhs": (2, 3), "rhs": (2, 1)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_mod node 'n'.*same shape"):
        one_node(tmp_path, "_mod", {}, shapes)
