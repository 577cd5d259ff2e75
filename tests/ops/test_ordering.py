# SPDX-License-Identifier: Apache-2.0
"""topk (every ret_typ, ascending, axis None / 0 / -1, partial and full sorts, index dtypes),
sort, argsort, argmax, argmin and argmax_channel against MXNet 1.9.1, including many tied keys
(MXNet's CPU sort is not stable: the order of equal keys must match its introsort) and NaN;
_npx_topk, _npi_sort, _npi_argsort, _npi_argmax and _npi_argmin against MXNet 2.0.0b1."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve


def _ties(name, code, shape, high=3, dtype="int32"):
    """Integer keys in [0, high]: rows full of ties (cast to float32 in `code` when needed)."""
    return Case(
        name=name, code=code, inputs={"data": shape}, dtypes={"data": dtype}, low=0, high=high
    )


F = "x = mx.sym.Cast(data, dtype='float32')\n"
# log of values in [-1, 1): about half NaN, the rest finite and distinct.
NAN = "x = mx.sym.log(data)\n"
CASES = [
    case("topk_default", "out = mx.sym.topk(data)", data=(3, 7)),
    case("topk_value_k3", "out = mx.sym.topk(data, k=3, ret_typ='value')", data=(4, 9)),
    case("topk_both", "out = mx.sym.topk(data, k=2, ret_typ='both')", data=(3, 50)),
    case("topk_mask", "out = mx.sym.topk(data, k=2, ret_typ='mask')", data=(3, 6)),
    case("topk_ascend", "out = mx.sym.topk(data, k=4, is_ascend=True)", data=(2, 40)),
    case("topk_axis0", "out = mx.sym.topk(data, axis=0, k=2, ret_typ='both')", data=(5, 3, 2)),
    case("topk_axis_none", "out = mx.sym.topk(data, axis=None, k=5, ret_typ='both')", data=(3, 4)),
    case("topk_mask_axis1", "out = mx.sym.topk(data, axis=1, k=2, ret_typ='mask')", data=(2, 5, 3)),
    case("topk_all", "out = mx.sym.topk(data, k=0, ret_typ='value')", data=(2, 6)),
    case("topk_int32_idx", "out = mx.sym.topk(data, k=3, dtype='int32')", data=(2, 8)),
    case(
        "topk_int64_idx", "out = mx.sym.topk(data, k=3, ret_typ='both', dtype='int64')", data=(2, 8)
    ),
    case("topk_f16_idx", "out = mx.sym.topk(data, k=3, dtype='float16')", data=(2, 8)),
    Case(
        name="topk_f16_values",
        code="out = mx.sym.topk(data, k=3, ret_typ='both')",
        inputs={"data": (3, 10)},
        dtypes={"data": "float16"},
    ),
    _ties("topk_ties_partial", F + "out = mx.sym.topk(x, k=3, ret_typ='both')", (4, 60)),
    _ties("topk_ties_full", F + "out = mx.sym.topk(x, k=20, ret_typ='both')", (4, 60)),
    _ties("topk_ties_ascend", F + "out = mx.sym.topk(x, k=5, is_ascend=True)", (3, 45)),
    _ties("topk_ties_int32", "out = mx.sym.topk(data, k=7, ret_typ='both')", (2, 33)),
    _ties("topk_ties_mask", F + "out = mx.sym.topk(x, k=4, ret_typ='mask')", (3, 50)),
    case("topk_nan", NAN + "out = mx.sym.topk(x, k=4, ret_typ='both')", data=(3, 30)),
    case("sort_default", "out = mx.sym.sort(data)", data=(3, 7)),
    case("sort_descend", "out = mx.sym.sort(data, is_ascend=False)", data=(2, 30)),
    case("sort_axis0", "out = mx.sym.sort(data, axis=0)", data=(6, 2, 3)),
    case("sort_axis_none", "out = mx.sym.sort(data, axis=None)", data=(3, 5)),
    _ties("sort_int32", "out = mx.sym.sort(data)", (3, 40), high=9),
    case("sort_nan", NAN + "out = mx.sym.sort(x)", data=(2, 40)),
    case("argsort_default", "out = mx.sym.argsort(data)", data=(3, 7)),
    case(
        "argsort_descend_int32",
        "out = mx.sym.argsort(data, is_ascend=False, dtype='int32')",
        data=(2, 9),
    ),
    case("argsort_axis1", "out = mx.sym.argsort(data, axis=1, dtype='int64')", data=(2, 20, 3)),
    _ties("argsort_ties", F + "out = mx.sym.argsort(x)", (3, 100)),
    _ties("argsort_ties_descend", F + "out = mx.sym.argsort(x, is_ascend=False)", (2, 70), high=5),
    _ties("argsort_ties_small", F + "out = mx.sym.argsort(x)", (4, 12)),
    _ties("argsort_ties_int64", "out = mx.sym.argsort(data)", (2, 64), dtype="int64"),
    case("argsort_nan", NAN + "out = mx.sym.argsort(x)", data=(3, 50)),
    case("argsort_nan_descend", NAN + "out = mx.sym.argsort(x, is_ascend=False)", data=(3, 50)),
    case("argmax_axis1", "out = mx.sym.argmax(data, axis=1)", data=(3, 5)),
    case("argmax_keepdims", "out = mx.sym.argmax(data, axis=-1, keepdims=True)", data=(2, 3, 4)),
    case("argmax_axis_none", "out = mx.sym.argmax(data)", data=(3, 4)),
    case("argmax_axis_none_keepdims", "out = mx.sym.argmax(data, keepdims=True)", data=(3, 4)),
    case("argmax_1d", "out = mx.sym.argmax(data, axis=0)", data=(7,)),
    _ties("argmax_ties", F + "out = mx.sym.argmax(x, axis=1)", (5, 9)),
    _ties("argmax_int32", "out = mx.sym.argmax(data, axis=0)", (6, 4), high=4),
    case("argmax_nan", NAN + "out = mx.sym.argmax(x, axis=1)", data=(6, 5)),
    Case(
        name="argmax_f16",
        code="out = mx.sym.argmax(data, axis=1)",
        inputs={"data": (3, 6)},
        dtypes={"data": "float16"},
    ),
    case("argmax_channel", "out = mx.sym.argmax_channel(data)", data=(3, 5)),
    case("argmax_channel_3d", "out = mx.sym.argmax_channel(data)", data=(2, 4, 3)),
    case("argmin_axis0", "out = mx.sym.argmin(data, axis=0)", data=(4, 3)),
    _ties("argmin_ties", F + "out = mx.sym.argmin(x, axis=-1, keepdims=True)", (4, 8)),
    case("argmin_nan", NAN + "out = mx.sym.argmin(x, axis=1)", data=(6, 5)),
]

test_ordering = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("npx_topk", N + "out = mx.sym.npx.topk(x, k=2, ret_typ='indices')", data=(3, 6)),
    case(
        "npx_topk_both",
        N + "out = mx.sym.Group(mx.sym.npx.topk(x, k=2, ret_typ='both'))",
        data=(3, 6),
    ),
    case("npx_topk_empty", N + "out = mx.sym.npx.topk(x, k=2, ret_typ='value')", data=(0, 5)),
    case("npi_sort", N + "out = mx.sym.np.sort(x)", data=(3, 6)),
    case("npi_sort_axis0", N + "out = mx.sym.np.sort(x, axis=0)", data=(4, 3)),
    case("npi_argsort", N + "out = mx.sym.np.argsort(x)", data=(3, 6)),
    case("npi_argmax", N + "out = mx.sym.np.argmax(x, axis=1)", data=(3, 6)),
    case("npi_argmax_none", N + "out = mx.sym.np.argmax(x)", data=(3, 6)),
    case("npi_argmax_nan", N + "out = mx.sym.np.argmax(mx.sym.np.log(x), axis=1)", data=(8, 5)),
    case("npi_argmin_nan", N + "out = mx.sym.np.argmin(mx.sym.np.log(x), axis=1)", data=(8, 5)),
    case("npi_argmin", N + "out = mx.sym.np.argmin(x, axis=0)", data=(4, 3)),
    Case(
        name="npi_argmax_ties",
        code="x = data.as_np_ndarray()\nout = mx.sym.np.argmax(x, axis=1)",
        inputs={"data": (5, 9)},
        dtypes={"data": "int32"},
        low=0,
        high=3,
    ),
]

test_ordering_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _p(tmp_path, op, attrs, shape=(2, 5)):
    return one_node(tmp_path, op, attrs, {"data": shape}, name="o")


def test_topk_rejects_large_k(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"topk node 'o'.*k = 6 is larger"):
        _p(tmp_path, "topk", {"k": "6"})


def test_topk_rejects_ret_typ(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"topk node 'o'.*ret_typ"):
        _p(tmp_path, "topk", {"ret_typ": "values"})


def test_topk_rejects_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"topk node 'o'.*out of bounds"):
        _p(tmp_path, "topk", {"axis": "2"})


def test_sort_rejects_dtype_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"sort node 'o'.*'dtype'"):
        _p(tmp_path, "sort", {"dtype": "int32"})


def test_argsort_rejects_index_dtype(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"argsort node 'o'.*dtype"):
        _p(tmp_path, "argsort", {"dtype": "int8"})


def test_argmax_rejects_empty_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"argmax node 'o'.*empty axis"):
        _p(tmp_path, "argmax", {"axis": "1"}, (2, 0))


def test_argmin_rejects_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"argmin node 'o'.*out of bounds"):
        _p(tmp_path, "argmin", {"axis": "-3"})
