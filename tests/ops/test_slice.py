# SPDX-License-Identifier: Apache-2.0
"""slice (None, negative begin/end, negative and large steps, out-of-range clamping),
slice_axis and slice_like against MXNet 1.9.1, and _npi_slice-style slices from MXNet 2.0."""


import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

S = "out = mx.sym.slice(data, {})"
CASES = [
    case("slice_basic", S.format("begin=(0, 1), end=(2, 4)"), data=(3, 5)),
    case("slice_leading_axis_only", S.format("begin=(1,), end=(3,)"), data=(4, 3, 5)),
    case("slice_none", S.format("begin=(None, 1), end=(None, None)"), data=(3, 5)),
    case("slice_negative", S.format("begin=(-2, -4), end=(None, -1)"), data=(3, 5)),
    case("slice_step2", S.format("begin=(0, 1), end=(3, 5), step=(2, 2)"), data=(3, 5)),
    case(
        "slice_step_last_only",
        S.format("begin=(None, None, 1), end=(None, None, None), step=(1, 1, 3)"),
        data=(2, 3, 8),
    ),
    case(
        "slice_negative_step",
        S.format("begin=(None, None), end=(None, None), step=(-1, -1)"),
        data=(3, 4),
    ),
    case(
        "slice_negative_step_bounds",
        S.format("begin=(4, -2), end=(0, None), step=(-2, -1)"),
        data=(6, 5),
    ),
    case("slice_negative_step_oob", S.format("begin=(10,), end=(-10,), step=(-3,)"), data=(7, 2)),
    case("slice_clamp_end", S.format("begin=(1, 0), end=(100, 100)"), data=(3, 5)),
    case("slice_clamp_begin", S.format("begin=(-100,), end=(2,), step=(2,)"), data=(3, 5)),
    case("slice_step_none", S.format("begin=(0, 0), end=(2, 3), step=(None, 2)"), data=(3, 5)),
    case(
        "slice_middle_axis", S.format("begin=(None, 1, None), end=(None, 3, None)"), data=(2, 4, 6)
    ),
    case("slice_crop_alias", "out = mx.sym.crop(data, begin=(1, 1), end=(3, 3))", data=(4, 4)),
    case(
        "slice_after_act",
        "out = mx.sym.slice(mx.sym.Activation(data, act_type='relu'), begin=(None, 2), end=(None, None))",
        data=(3, 6),
    ),
    Case(
        name="slice_int64",
        code="out = mx.sym.slice(data, begin=(1, None), end=(None, None), step=(1, -2))",
        inputs={"data": (3, 7)},
        dtypes={"data": "int64"},
        low=-1000,
        high=1000,
    ),
    Case(
        name="slice_float16",
        code="out = mx.sym.slice(data, begin=(None, 1), end=(None, 5), step=(2, 3))",
        inputs={"data": (5, 9)},
        dtypes={"data": "float16"},
    ),
    case(
        "slice_axis_basic", "out = mx.sym.slice_axis(data, axis=1, begin=1, end=3)", data=(2, 4, 3)
    ),
    case(
        "slice_axis_none_end",
        "out = mx.sym.slice_axis(data, axis=0, begin=2, end=None)",
        data=(5, 3),
    ),
    case(
        "slice_axis_negative",
        "out = mx.sym.slice_axis(data, axis=-1, begin=-3, end=-1)",
        data=(2, 6),
    ),
    case("slice_like_all", "out = mx.sym.slice_like(data, ref)", data=(4, 5, 6), ref=(2, 3, 4)),
    case(
        "slice_like_axes",
        "out = mx.sym.slice_like(data, ref, axes=(0, -1))",
        data=(4, 5, 6),
        ref=(2, 7, 3),
    ),
]

test_slice = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case(
        "npx_slice",
        N + "out = mx.sym.npx.slice(x, begin=(1, None), end=(None, 2), step=(1, -1))",
        data=(3, 5),
    ),
    case("np_getitem", N + "out = x[1:3]", data=(4, 3)),
    case("np_getitem_step", N + "out = x[:, 1:5:2]", data=(3, 6)),
    case("np_getitem_reverse", N + "out = x[::-1, ::-2]", data=(3, 5)),
]

test_slice_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, op, attrs, shape):
    return one_node(tmp_path, op, attrs, {"data": shape}, name="s")


def test_slice_rejects_zero_step(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"slice node 's'.*step cannot be 0"):
        _predictor(tmp_path, "slice", {"begin": "(0,)", "end": "(2,)", "step": "(0,)"}, (3, 4))


def test_slice_rejects_too_many_axes(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"begin has 3 entries but the input has 2 axes"
    ):
        _predictor(tmp_path, "slice", {"begin": "(0, 0, 0)", "end": "(1, 1, 1)"}, (3, 4))


def test_slice_axis_rejects_empty_range(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"slice_axis node 's'.*must come before end"
    ):
        _predictor(tmp_path, "slice_axis", {"axis": "0", "begin": "2", "end": "1"}, (3, 4))


def test_slice_empty_result(tmp_path):
    # begin past the end selects nothing (MXNet gives a zero-size axis rather than an error).
    p = _predictor(tmp_path, "slice", {"begin": "(5,)", "end": "(None,)"}, (3, 4))
    import numpy as np

    (y,) = p(data=np.ones((3, 4), np.float32))
    assert y.shape == (0, 4)
