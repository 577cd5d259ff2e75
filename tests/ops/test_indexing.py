# SPDX-License-Identifier: Apache-2.0
"""take (axes, clip / wrap / raise, float / int32 / int64 indices, multi-axis indices), pick
(clip / wrap, keepdims, index with or without the picked axis), batch_take, one_hot (depth,
on/off values, dtypes, out-of-range indices) and gather_nd (negative indices, partial indexing)
against MXNet 1.9.1, and _npi_take / _npx_pick / _npx_one_hot / _npx_gather_nd against 2.0.0b1."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, check_case, oracle_test, run_cases

import mxserve


def _i(name, code, data, idx, idx_dtype="int32", low=-3, high=6, data_dtype=None, rtol=1e-5):
    """`data` drawn in [low, high) too (harmless for data, and it makes integer data varied);
    `idx` of dtype idx_dtype in [low, high], out of range for most axes on purpose."""
    inputs = {"idx": idx} if data is None else {"data": data, "idx": idx}
    dtypes = {"idx": idx_dtype}
    if data_dtype and data is not None:
        dtypes["data"] = data_dtype
    return Case(name=name, code=code, inputs=inputs, dtypes=dtypes, low=low, high=high, rtol=rtol)


T = "out = mx.sym.take(data, idx{})"
P = "out = mx.sym.pick(data, idx{})"
CASES = [
    _i("take_axis0_clip", T.format(""), (4, 3), (5,)),
    _i("take_axis0_wrap", T.format(", mode='wrap'"), (4, 3), (2, 3)),
    _i("take_axis1", T.format(", axis=1"), (2, 4, 3), (5,)),
    _i("take_axis_last_wrap", T.format(", axis=-1, mode='wrap'"), (2, 3, 4), (3, 2)),
    _i("take_raise_in_range", T.format(", mode='raise'"), (7, 2), (6,), low=0, high=6),
    _i("take_float_idx", T.format(""), (5, 3), (8,), idx_dtype="float32", low=-2.5, high=6.5),
    _i("take_float_idx_wrap", T.format(", mode='wrap'"), (5, 3), (8,), idx_dtype="float32"),
    _i("take_int64_idx", T.format(", axis=1"), (3, 5), (2, 2), idx_dtype="int64"),
    _i("take_int32_data", T.format(""), (6, 2), (4,), data_dtype="int32"),
    _i("take_f16_data", T.format(", axis=1"), (2, 6), (4,), data_dtype="float16"),
    _i("take_1d", T.format(""), (6,), (3, 2)),
    _i("pick_default_clip", P.format(""), (3, 4), (3,)),
    _i("pick_wrap", P.format(", mode='wrap'"), (3, 4), (3,)),
    _i("pick_axis0", P.format(", axis=0"), (4, 3), (3,)),
    _i("pick_axis1_3d", P.format(", axis=1"), (2, 5, 3), (2, 3)),
    _i("pick_keepdims", P.format(", axis=1, keepdims=True"), (2, 5, 3), (2, 3)),
    _i("pick_index_keepdims", P.format(", axis=-1"), (3, 4), (3, 1)),
    _i("pick_float_idx", P.format(""), (4, 5), (4,), idx_dtype="float32", low=-1.5, high=6.5),
    _i("pick_int64_idx", P.format(", axis=0, mode='wrap'"), (3, 4), (4,), idx_dtype="int64"),
    _i("pick_1d", P.format(", axis=0"), (5,), (1,)),
    _i("batch_take", "out = mx.sym.batch_take(data, idx)", (4, 3), (4,), low=-1, high=4),
    _i("one_hot", "out = mx.sym.one_hot(idx, depth=4)", None, (5,), low=-2, high=5),
    _i(
        "one_hot_values",
        "out = mx.sym.one_hot(idx, depth=3, on_value=2.5, off_value=-1)",
        None,
        (2, 3),
    ),
    _i(
        "one_hot_int32_out",
        "out = mx.sym.one_hot(idx, depth=5, dtype='int32', on_value=7)",
        None,
        (4,),
        idx_dtype="int64",
    ),
    _i(
        "one_hot_float_idx",
        "out = mx.sym.one_hot(idx, depth=4)",
        None,
        (6,),
        idx_dtype="float32",
        low=-1.5,
        high=4.5,
    ),
    _i(
        "one_hot_f16",
        "out = mx.sym.one_hot(idx, depth=3, dtype='float16', on_value=0.3)",
        None,
        (4,),
        rtol=1e-3,
    ),
    _i("gather_nd", "out = mx.sym.gather_nd(data, idx)", (3, 4), (2, 5), low=-3, high=2),
    _i(
        "gather_nd_partial",
        "out = mx.sym.gather_nd(data, idx)",
        (3, 4, 2),
        (1, 2, 2),
        low=-3,
        high=2,
    ),
    _i("gather_nd_full", "out = mx.sym.gather_nd(data, idx)", (2, 3, 4), (3, 4), low=-2, high=1),
    _i(
        "gather_nd_float_idx",
        "out = mx.sym.gather_nd(data, idx)",
        (4, 3),
        (2, 3),
        idx_dtype="float32",
        low=-2.9,
        high=2.9,
    ),
    _i(
        "gather_nd_int64",
        "out = mx.sym.gather_nd(data, idx)",
        (3, 3),
        (2, 2, 2),
        idx_dtype="int64",
        low=-3,
        high=2,
    ),
    Case(
        name="pick_gluoncv_matches",
        code=(
            "refs = mx.sym.broadcast_like(mx.sym.reshape(data, (0, 1, -1)), idx, lhs_axes=1,"
            " rhs_axes=1)\n"
            "out = mx.sym.pick(refs, mx.sym.Cast(idx, dtype='float32'), axis=2)"
        ),
        inputs={"data": (2, 6), "idx": (2, 3)},
        dtypes={"idx": "int32"},
        low=-1,
        high=6,
    ),
    Case(
        name="take_parameter_folded",
        code="w = mx.sym.var('w', shape=(5, 3), dtype='float32')\nout = mx.sym.take(w, idx) * 2",
        inputs={"idx": (4,)},
        dtypes={"idx": "int32"},
        low=0,
        high=4,
    ),
    Case(
        name="take_argsort_rows",
        code=(
            "key = mx.sym.slice_axis(data, axis=1, begin=0, end=1)\n"
            "out = mx.sym.take(data, mx.sym.argsort(key, axis=0).reshape((-1,)))"
        ),
        inputs={"data": (6, 3)},
    ),
]

test_indexing = oracle_test(CASES)

CASES2 = [
    _i(
        "npi_take",
        "out = mx.sym.np.take(data.as_np_ndarray(), idx.as_np_ndarray(), axis=0)",
        (5, 2),
        (3,),
        low=0,
        high=4,
    ),
    _i(
        "npx_pick",
        "out = mx.sym.npx.pick(data.as_np_ndarray(), idx.as_np_ndarray(), axis=1)",
        (3, 4),
        (3,),
    ),
    _i("npx_one_hot", "out = mx.sym.npx.one_hot(idx.as_np_ndarray(), depth=3)", None, (4,)),
    _i(
        "npx_gather_nd",
        "out = mx.sym.npx.gather_nd(data.as_np_ndarray(), idx.as_np_ndarray())",
        (3, 4),
        (2, 3),
        low=-3,
        high=2,
    ),
]

test_indexing_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _p(tmp_path, op, attrs, shapes, dtypes=None, version=None):
    return one_node(tmp_path, op, attrs, shapes, dtypes=dtypes, name="x", version=version)


def test_take_rejects_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"take node 'x'.*out of bounds"):
        _p(tmp_path, "take", {"axis": "2"}, {"a": (2, 3), "indices": (4,)})


def test_take_rejects_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"take node 'x'.*mode"):
        _p(tmp_path, "take", {"mode": "nearest"}, {"a": (2, 3), "indices": (4,)})


def test_pick_rejects_index_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"pick node 'x'.*index has shape"):
        _p(tmp_path, "pick", {"axis": "1"}, {"data": (2, 3), "index": (3,)})


def test_pick_rejects_axis_none(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"pick node 'x'.*axis=None"):
        _p(tmp_path, "pick", {"axis": "None"}, {"data": (2, 3), "index": (2,)})


def test_pick_rejects_raise_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"pick node 'x'.*mode"):
        _p(tmp_path, "pick", {"mode": "raise"}, {"data": (2, 3), "index": (2,)})


def test_batch_take_rejects_float_index(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"batch_take node 'x'.*int32"):
        _p(
            tmp_path,
            "batch_take",
            None,
            {"a": (2, 3), "indices": (2,)},
            dtypes={"a": "float32", "indices": "float32"},
        )


def test_one_hot_rejects_negative_depth(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"one_hot node 'x'.*depth"):
        _p(tmp_path, "one_hot", {"depth": "-1"}, {"indices": (3,)})


def test_one_hot_rejects_missing_depth(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"one_hot node 'x'.*'depth' is missing"):
        _p(tmp_path, "one_hot", {}, {"indices": (3,)})


def test_gather_nd_rejects_too_many_axes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"gather_nd node 'x'.*addresses 3 axes"):
        _p(tmp_path, "gather_nd", None, {"data": (2, 3), "indices": (3, 4)})


def test_gather_nd_rejects_zero_axes(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"gather_nd node 'x'.*at least one axis"
    ):
        _p(tmp_path, "gather_nd", None, {"data": (2, 3), "indices": (0, 4)}, version="2.0.0")


def test_gather_nd_rejects_1d_index(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"gather_nd node 'x'.*at least 2 axes"):
        _p(tmp_path, "gather_nd", None, {"data": (2, 3), "indices": (2,)})


def test_batch_take_rejects_3d(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"batch_take node 'x'.*3 axes"):
        _p(
            tmp_path,
            "batch_take",
            None,
            {"a": (2, 3, 4), "indices": (6,)},
            dtypes={"a": "float32", "indices": "int32"},
        )


def test_take_of_parameters_is_folded():
    # take of a parameter by a parameter runs once at load time; only the product remains.
    c = Case(
        name="take_two_parameters",
        code=(
            "w = mx.sym.var('w', shape=(5, 3), dtype='float32')\n"
            "i = mx.sym.var('i', shape=(2,), dtype='float32')\n"
            "out = mx.sym.broadcast_mul(mx.sym.take(w, i), data)"
        ),
        inputs={"data": (2, 3)},
        params={"i": (0.0, 4.0)},
    )
    d = run_cases([c]) / c.name
    p = mxserve.Predictor(d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3)})
    assert p.info()["ops"] == {"broadcast_mul": 1}
    check_case(c, run_cases([c]))
