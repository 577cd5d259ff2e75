# SPDX-License-Identifier: Apache-2.0
"""broadcast_to (0 keeps a dimension), broadcast_like (whole shape, lhs_axes/rhs_axes with
negative axes), broadcast_axis / broadcast_axes against MXNet 1.9.1, and _npi_broadcast_to
(added leading axes, -2) / _npx_broadcast_like against MXNet 2.0.0b1."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("to_basic", "out = mx.sym.broadcast_to(data, shape=(4, 3))", data=(1, 3)),
    case("to_zero_keeps", "out = mx.sym.broadcast_to(data, shape=(2, 0, 5))", data=(1, 3, 1)),
    case("to_last_axis", "out = mx.sym.broadcast_to(data, shape=(3, 6))", data=(3, 1)),
    case("to_same", "out = mx.sym.broadcast_to(data, shape=(2, 3))", data=(2, 3)),
    case("to_middle", "out = mx.sym.broadcast_to(data, shape=(2, 4, 3))", data=(2, 1, 3)),
    case("to_empty", "out = mx.sym.broadcast_to(data, shape=(0, 3))", data=(1, 3)),
    Case(
        name="to_int32",
        code="out = mx.sym.broadcast_to(data, shape=(3, 2, 2))",
        inputs={"data": (1, 2, 1)},
        dtypes={"data": "int32"},
        low=-9,
        high=9,
    ),
    Case(
        name="to_float16",
        code="out = mx.sym.broadcast_to(data, shape=(5, 3))",
        inputs={"data": (5, 1)},
        dtypes={"data": "float16"},
    ),
    case("like_full", "out = mx.sym.broadcast_like(data, ref)", data=(1, 3, 1), ref=(2, 3, 4)),
    case(
        "like_axes",
        "out = mx.sym.broadcast_like(data, ref, lhs_axes=(0,), rhs_axes=(2,))",
        data=(1, 3),
        ref=(2, 3, 5),
    ),
    case(
        "like_negative_axes",
        "out = mx.sym.broadcast_like(data, ref, lhs_axes=(-1, 0), rhs_axes=(0, -2))",
        data=(1, 2, 1),
        ref=(4, 6, 3),
    ),
    Case(
        name="like_int64_ref_float",
        code="out = mx.sym.broadcast_like(data, ref)",
        inputs={"data": (3, 1), "ref": (3, 4)},
        dtypes={"data": "int64", "ref": "float32"},
        low=-9,
        high=9,
    ),
    case("axis_one", "out = mx.sym.broadcast_axis(data, axis=1, size=4)", data=(2, 1, 3)),
    case(
        "axes_two",
        "out = mx.sym.broadcast_axes(data, axis=(0, 2), size=(3, 2))",
        data=(1, 2, 1),
    ),
    case("axis_last", "out = mx.sym.broadcast_axis(data, axis=(1,), size=(5,))", data=(3, 1)),
    case(
        "like_int_axes_gluoncv_coder",
        "r = mx.sym.reshape(data, (0, 1, -1, 4))\n"
        "out = mx.sym.broadcast_like(r, ref, lhs_axes=1, rhs_axes=1)",
        data=(2, 5, 4),
        ref=(2, 3, 5),
    ),
    case(
        "to_parameter_folded",
        "w = mx.sym.var('w', shape=(1, 3))\nout = mx.sym.broadcast_to(w, shape=(4, 3)) + data",
        data=(4, 3),
    ),
    case(
        "after_sum_keepdims",
        "out = mx.sym.broadcast_like(mx.sym.sum(data, axis=1, keepdims=True), data)",
        data=(3, 4),
    ),
]

test_broadcast_to = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("npi_to_prepend", N + "out = mx.sym.np.broadcast_to(x, (2, 4, 3))", data=(4, 1)),
    case("npi_to_scalar_like", N + "out = mx.sym.np.broadcast_to(x, (3, 2))", data=(1,)),
    case(
        "npx_like",
        N + "out = mx.sym.npx.broadcast_like(x, ref.as_np_ndarray())",
        data=(1, 3),
        ref=(2, 3),
    ),
]

test_broadcast_to_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _p(tmp_path, op, attrs, shapes):
    return one_node(tmp_path, op, attrs, shapes, name="b")


def test_broadcast_to_rejects_incompatible(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"broadcast_to node 'b'.*cannot be broadcast"
    ):
        _p(tmp_path, "broadcast_to", {"shape": "(4, 3)"}, {"data": (2, 3)})


def test_broadcast_to_rejects_other_ndim(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"broadcast_to node 'b'.*cannot be broadcast"
    ):
        _p(tmp_path, "broadcast_to", {"shape": "(2, 4, 3)"}, {"data": (1, 3)})


def test_npi_broadcast_to_rejects_fewer_axes(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_broadcast_to node 'b'.*not broadcastable"
    ):
        _p(tmp_path, "_npi_broadcast_to", {"shape": "(3,)"}, {"data": (2, 3)})


def test_broadcast_like_rejects_non_unit_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"broadcast_like node 'b'.*only size 1"):
        _p(
            tmp_path,
            "broadcast_like",
            {"lhs_axes": "(0,)", "rhs_axes": "(0,)"},
            {"lhs": (2, 3), "rhs": (4, 3)},
        )


def test_broadcast_like_rejects_axes_mismatch(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"broadcast_like node 'b'.*rhs_axes has 2"
    ):
        _p(
            tmp_path,
            "broadcast_like",
            {"lhs_axes": "(0,)", "rhs_axes": "(0, 1)"},
            {"lhs": (1, 3), "rhs": (4, 3)},
        )


def test_broadcast_axis_rejects_negative_axis(tmp_path):
    # MXNet 1.9.1 checks the axis against [0, ndim) without wrapping negative values.
    with pytest.raises(mxserve.InvalidArgumentError, match=r"broadcast_axis node 'b'.*must be in"):
        _p(tmp_path, "broadcast_axis", {"axis": "(-1,)", "size": "(3,)"}, {"data": (2, 1)})


def test_broadcast_axis_rejects_non_unit_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"broadcast_axis node 'b'.*only size 1"):
        _p(tmp_path, "broadcast_axis", {"axis": "(0,)", "size": "(3,)"}, {"data": (2, 1)})


def test_npi_broadcast_to_keeps_minus_two(tmp_path):
    # -2 keeps the input's dimension; MXNet's Python front end never writes it, so the expected
    # value is numpy's broadcast_to.
    p = one_node(tmp_path, "_npi_broadcast_to", {"shape": "(2, 3, -2)"}, {"data": (3, 4)}, name="b")
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    (y,) = p(data=x)
    np.testing.assert_array_equal(y, np.broadcast_to(x, (2, 3, 4)))
