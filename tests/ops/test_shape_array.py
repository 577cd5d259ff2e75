# SPDX-License-Identifier: Apache-2.0
"""shape_array and size_array (int64 outputs, used with data-dependent arithmetic downstream)
against MXNet 1.9.1, and _npx_shape_array against MXNet 2.0.0b1."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("shape_array_2d", "out = mx.sym.shape_array(data)", data=(3, 4)),
    case("shape_array_4d", "out = mx.sym.shape_array(data)", data=(2, 3, 5, 7)),
    case("size_array", "out = mx.sym.size_array(data)", data=(2, 3, 5)),
    Case(
        name="shape_array_int32_input",
        code="out = mx.sym.shape_array(data)",
        inputs={"data": (6,)},
        dtypes={"data": "int32"},
    ),
    case(
        "shape_array_cast_slice",
        "out = mx.sym.Cast(mx.sym.slice_axis(mx.sym.shape_array(data), axis=0, begin=1, end=3),"
        " dtype='float32') * 0.5",
        data=(2, 6, 4),
    ),
]

test_shape_array = oracle_test(CASES)

CASES2 = [
    case("npx_shape_array", "out = mx.sym.npx.shape_array(data.as_np_ndarray())", data=(4, 2)),
]

test_shape_array_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_shape_array_rejects_attributes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"shape_array node 's'.*'axis'"):
        one_node(tmp_path, "shape_array", {"axis": "0"}, {"data": (2, 3)}, name="s")


def test_size_array_rejects_attributes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"size_array node 's'.*'lhs_begin'"):
        one_node(tmp_path, "size_array", {"lhs_begin": "0"}, {"data": (2, 3)}, name="s")


def test_shape_array_output_is_int64(tmp_path):
    p = one_node(tmp_path, "shape_array", None, {"data": (2, 3, 4)}, name="s")
    (y,) = p(data=np.zeros((2, 3, 4), np.float32))
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [2, 3, 4])
