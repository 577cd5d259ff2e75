# SPDX-License-Identifier: Apache-2.0
"""transpose, _np_transpose/_npi_transpose and SwapAxis against MXNet 1.9.1 and 2.0.0b1: default
(reversed) axes, explicit and negative axes, 1-D to 6-D, and non-float32 dtypes (the kernel moves
bytes, so int32, float16 and int64 take the 4-byte, 1-byte and two-word paths)."""


import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("transpose_2d", "out = mx.sym.transpose(data)", data=(3, 5)),
    case("transpose_default_4d", "out = mx.sym.transpose(data)", data=(2, 3, 4, 5)),
    case("transpose_axes_3d", "out = mx.sym.transpose(data, axes=(1, 0, 2))", data=(2, 3, 4)),
    case(
        "transpose_nchw_nhwc", "out = mx.sym.transpose(data, axes=(0, 2, 3, 1))", data=(2, 3, 5, 7)
    ),
    case(
        "transpose_6d",
        "out = mx.sym.transpose(data, axes=(5, 3, 1, 0, 2, 4))",
        data=(2, 1, 3, 2, 2, 3),
    ),
    case("transpose_identity", "out = mx.sym.transpose(data, axes=(0, 1))", data=(3, 4)),
    case("transpose_1d", "out = mx.sym.transpose(data)", data=(5,)),
    case(
        "transpose_after_act",
        "out = mx.sym.transpose(mx.sym.Activation(data, act_type='relu'), axes=(2, 0, 1))",
        data=(3, 4, 5),
    ),
    case("swapaxes", "out = mx.sym.SwapAxis(data, dim1=1, dim2=3)", data=(2, 3, 4, 5)),
    case("swapaxes_neg", "out = mx.sym.swapaxes(data, dim1=0, dim2=-1)", data=(3, 4, 2)),
    case("swapaxes_same", "out = mx.sym.swapaxes(data, dim1=1, dim2=1)", data=(3, 4)),
    Case(
        name="transpose_int32",
        code="out = mx.sym.transpose(data, axes=(1, 2, 0))",
        inputs={"data": (3, 4, 5)},
        dtypes={"data": "int32"},
        low=-100,
        high=100,
    ),
    Case(
        name="transpose_float16",
        code="out = mx.sym.transpose(data, axes=(1, 0))",
        inputs={"data": (7, 5)},
        dtypes={"data": "float16"},
    ),
    Case(
        name="transpose_int64",
        code="out = mx.sym.transpose(data, axes=(2, 0, 1))",
        inputs={"data": (2, 3, 4)},
        dtypes={"data": "int64"},
        low=-1000,
        high=1000,
    ),
    Case(
        name="transpose_uint8",
        code="out = mx.sym.transpose(data)",
        inputs={"data": (3, 5)},
        dtypes={"data": "uint8"},
        low=0,
        high=255,
    ),
    case(
        "np_transpose_mx19",
        "out = mx.sym.np.transpose(data.as_np_ndarray(), (1, 0, 2))",
        data=(2, 3, 4),
    ),
]

test_transpose = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("npi_transpose_none", N + "out = mx.sym.np.transpose(x)", data=(2, 3, 4)),
    case("npi_transpose_axes", N + "out = mx.sym.np.transpose(x, (0, 2, 1))", data=(2, 3, 4)),
    case("npi_transpose_neg_axes", N + "out = mx.sym.np.transpose(x, (-1, 0, -2))", data=(2, 3, 4)),
    case("npi_swapaxes", N + "out = mx.sym.np.swapaxes(x, 0, 2)", data=(2, 3, 4)),
]

test_transpose_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, op, attrs, shape):
    return one_node(tmp_path, op, attrs, {"data": shape}, name="t")


def test_transpose_rejects_repeated_axis(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"transpose node 't'.*axis 0 is repeated"
    ):
        _predictor(tmp_path, "transpose", {"axes": "(0, 0, 1)"}, (2, 3, 4))


def test_transpose_rejects_wrong_axis_count(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"axes has 2 entries but the input has 3 axes"
    ):
        _predictor(tmp_path, "_npi_transpose", {"axes": "(1, 0)"}, (2, 3, 4))


def test_swapaxes_rejects_axis(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SwapAxis node 't'.*dim2 3 is out of bounds"
    ):
        _predictor(tmp_path, "SwapAxis", {"dim1": "0", "dim2": "3"}, (2, 3))
