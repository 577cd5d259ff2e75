# SPDX-License-Identifier: Apache-2.0
"""tile (reps shorter, equal and longer than ndim, zeros) and repeat (axis None, negative axes,
0 repeats) against MXNet 1.9.1, and _npi_tile / _npi_repeats (np.repeat, per-element counts)
from MXNet 2.0."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

T = "out = mx.sym.tile(data, reps={})"
R = "out = mx.sym.repeat(data, {})"
CASES = [
    case("tile_same_ndim", T.format("(2, 3)"), data=(2, 3)),
    case("tile_shorter_reps", T.format("(3,)"), data=(2, 3, 4)),
    case("tile_longer_reps", T.format("(2, 1, 3)"), data=(3, 2)),
    case("tile_much_longer_reps", T.format("(2, 2, 1, 2)"), data=(5,)),
    case("tile_ones", T.format("(1, 1)"), data=(4, 5)),
    case("tile_nchw", T.format("(1, 2, 2, 1)"), data=(2, 3, 4, 5)),
    case("tile_large", T.format("(4, 1, 8)"), data=(3, 33, 17)),
    Case(
        name="tile_int32",
        code=T.format("(2, 2)"),
        inputs={"data": (3, 4)},
        dtypes={"data": "int32"},
        low=-100,
        high=100,
    ),
    case("tile_float16", T.format("(3, 1)"), dtype="float16", data=(2, 5)),
    case("repeat_axis0", R.format("repeats=2, axis=0"), data=(3, 4)),
    case("repeat_axis1", R.format("repeats=3, axis=1"), data=(2, 3, 4)),
    case("repeat_axis_last", R.format("repeats=2, axis=-1"), data=(2, 3, 4)),
    case("repeat_axis_negative_first", R.format("repeats=4, axis=-3"), data=(2, 3, 4)),
    case("repeat_flatten", R.format("repeats=3"), data=(2, 3)),
    case("repeat_once", R.format("repeats=1, axis=1"), data=(2, 3)),
    case("repeat_float16", R.format("repeats=2, axis=0"), dtype="float16", data=(2, 3)),
    case("repeat_zero", R.format("repeats=0, axis=1"), data=(2, 3)),
    case("repeat_zero_flatten", R.format("repeats=0"), data=(2, 3)),
    Case(
        name="repeat_int64",
        code=R.format("repeats=2, axis=0"),
        inputs={"data": (3, 2)},
        dtypes={"data": "int64"},
        low=-9,
        high=9,
    ),
    case("tile_then_repeat", "out = mx.sym.repeat(mx.sym.tile(data, reps=(2,)), 2)", data=(2, 3)),
]

test_tile = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("np_tile", N + "out = mx.sym.np.tile(x, (2, 1, 3))", data=(2, 3)),
    case("np_tile_int", N + "out = mx.sym.np.tile(x, 3)", data=(2, 3)),
    case("np_tile_zero", N + "out = mx.sym.np.tile(x, (2, 0))", data=(2, 3)),
    case("np_repeat_flat", N + "out = mx.sym.np.repeat(x, 2)", data=(2, 3)),
    case("np_repeat_axis0", N + "out = mx.sym.np.repeat(x, 3, axis=0)", data=(2, 3)),
    case("np_repeat_axis1", N + "out = mx.sym.np.repeat(x, 2, axis=1)", data=(2, 3, 2)),
    case("np_repeat_counts", N + "out = mx.sym.np.repeat(x, [1, 0, 2], axis=0)", data=(3, 4)),
    case("np_repeat_counts_flat", N + "out = mx.sym.np.repeat(x, [2, 1, 0, 3])", data=(2, 2)),
    case("np_repeat_zero", N + "out = mx.sym.np.repeat(x, 0)", data=(2, 3)),
    case("npi_repeat", "out = mx.sym.repeat(data, repeats=2, axis=-1)", data=(2, 3)),
]

test_tile_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_tile_rejects_negative_reps(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"tile node 'n'.*reps must not be"):
        one_node(tmp_path, "tile", {"reps": "(2, -1)"}, {"data": (2, 3)})


def test_tile_rejects_missing_reps(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"tile node 'n'.*reps"):
        one_node(tmp_path, "tile", {}, {"data": (2, 3)})


def test_repeat_rejects_negative_repeats(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"repeat node 'n'.*cannot be negative"):
        one_node(tmp_path, "repeat", {"repeats": "-1"}, {"data": (2, 3)})


def test_npi_repeats_rejects_wrong_count_length(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_repeats node 'n'.*has 2 entries"):
        one_node(tmp_path, "_npi_repeats", {"repeats": "[1, 2]", "axis": "1"}, {"data": (2, 3)})


def test_repeat_rejects_bad_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"repeat node 'n'.*out of bounds"):
        one_node(tmp_path, "repeat", {"repeats": "2", "axis": "2"}, {"data": (2, 3)})
