# SPDX-License-Identifier: Apache-2.0
"""where against MXNet 1.9.1 (same-shape and 1-D conditions of several dtypes, integer values)
and _npi_where with broadcasting, _npi_where_lscalar / _npi_where_rscalar / _npi_where_scalar2
against MXNet 2.0.0b1."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, oracle_test

import mxserve


def _w(name, code, cond, x, y=None, cond_dtype="int32", dtype=None, y_dtype=None):
    inputs = {"cond": cond, "x": x}
    dtypes = {"cond": cond_dtype}
    if y is not None:
        inputs["y"] = y
    if dtype:
        dtypes["x"] = dtype
        if y is not None:
            dtypes["y"] = y_dtype or dtype
    return Case(name=name, code=code, inputs=inputs, dtypes=dtypes, low=-1, high=1)


W = "out = mx.sym.where(cond, x, y)"
# Conditions drawn as integers in {-1, 0, 1} and cast, so that zeros occur in every dtype.
WC = "out = mx.sym.where(mx.sym.Cast(cond, dtype='{}'), x, y)"
CASES = [
    _w("same_shape_int32_cond", W, (3, 4), (3, 4), (3, 4)),
    _w("same_shape_f32_cond", WC.format("float32"), (2, 3, 2), (2, 3, 2), (2, 3, 2)),
    _w("f16_cond", WC.format("float16"), (5,), (5,), (5,)),
    _w("uint8_cond", WC.format("uint8"), (4, 2), (4, 2), (4, 2)),
    _w("int64_cond", W, (6,), (6,), (6,), cond_dtype="int64"),
    _w("one_d_cond", W, (3,), (3, 4), (3, 4)),
    _w("one_d_cond_3d", WC.format("float32"), (2,), (2, 3, 2), (2, 3, 2)),
    _w("int32_values", W, (3, 3), (3, 3), (3, 3), dtype="int32"),
    _w("f16_values", W, (2, 5), (2, 5), (2, 5), dtype="float16"),
    Case(
        name="after_compare",
        code="out = mx.sym.where(mx.sym.broadcast_greater(x, y), x, mx.sym.zeros_like(x))",
        inputs={"x": (3, 4), "y": (3, 4)},
    ),
]

test_where = oracle_test(CASES)

NP = "c = cond.as_np_ndarray()\na = x.as_np_ndarray()\n"
CASES2 = [
    _w("npi_where", NP + "out = mx.sym.np.where(c, a, y.as_np_ndarray())", (3, 4), (3, 4), (3, 4)),
    _w(
        "npi_where_broadcast",
        NP + "out = mx.sym.np.where(c, a, y.as_np_ndarray())",
        (3, 1),
        (1, 4),
        (3, 4),
    ),
    _w(
        "npi_where_bool_cond",
        NP + "out = mx.sym.np.where(c > 0, a, y.as_np_ndarray())",
        (2, 1, 3),
        (4, 1),
        (3,),
    ),
    _w("npi_where_lscalar", NP + "out = mx.sym.np.where(c, 2.5, a)", (2, 3), (3,)),
    _w("npi_where_rscalar", NP + "out = mx.sym.np.where(c, a, -1.5)", (2, 1), (2, 3)),
    _w(
        "npi_where_rscalar_int",
        NP + "out = mx.sym.np.where(c, a, -1.5)",
        (4,),
        (4,),
        dtype="int32",
    ),
    _w("npi_where_scalar2", NP + "out = mx.sym.np.where(c, 1.5, -2) + 0 * a", (2, 3), (2, 3)),
]

test_where_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _p(tmp_path, op, shapes, attrs=None):
    return one_node(tmp_path, op, attrs, shapes, name="w")


def test_where_rejects_shape_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"where node 'w'.*same shape"):
        _p(tmp_path, "where", {"condition": (2, 3), "x": (2, 3), "y": (3, 2)})


def test_where_rejects_bad_condition(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"where node 'w'.*1-D"):
        _p(tmp_path, "where", {"condition": (4,), "x": (2, 3), "y": (2, 3)})


def test_where_rejects_dtype_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"where node 'w'.*dtype"):
        one_node(
            tmp_path,
            "where",
            None,
            {"condition": (2,), "x": (2,), "y": (2,)},
            dtypes={"condition": "float32", "x": "float32", "y": "int32"},
            name="w",
        )


def test_npi_where_rejects_unbroadcastable(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_where node 'w'.*broadcast"):
        _p(tmp_path, "_npi_where", {"condition": (2, 3), "x": (4,), "y": (1,)})
