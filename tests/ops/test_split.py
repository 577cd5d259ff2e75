# SPDX-License-Identifier: Apache-2.0
"""SliceChannel / split (axes, squeeze_axis) and _split_v2 (indices, sections with a remainder,
squeeze) against MXNet 1.9.1, graphs that use only some outputs, and np.split / np.array_split /
np.hsplit / np.dsplit / np.vsplit from MXNet 2.0."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

S = "out = mx.sym.split(data, {})"
V = "out = mx.sym.split_v2(data, {})"
CASES = [
    case("split_default_axis", S.format("num_outputs=2"), data=(2, 4, 3)),
    case("split_axis0", S.format("num_outputs=3, axis=0"), data=(6, 2)),
    case("split_axis_last", S.format("num_outputs=4, axis=-1"), data=(2, 3, 8)),
    case("split_one_output", S.format("num_outputs=1"), data=(2, 3)),
    case("split_squeeze", S.format("num_outputs=3, axis=1, squeeze_axis=True"), data=(2, 3, 4)),
    case("slice_channel", "out = mx.sym.SliceChannel(data, num_outputs=2, axis=2)", data=(2, 2, 6)),
    case("split_float16", S.format("num_outputs=3, axis=-1"), dtype="float16", data=(2, 2, 6)),
    case(
        "split_some_outputs",
        "s = mx.sym.split(data, num_outputs=3, axis=1)\nout = mx.sym.Group([s[2], s[0]])",
        data=(2, 6, 2),
    ),
    case(
        "split_one_of_outputs_used",
        "s = mx.sym.split(data, num_outputs=4, axis=0)\nout = s[1] * 2",
        data=(8, 3),
    ),
    case(
        "split_outputs_reused",
        "s = mx.sym.split(data, num_outputs=2, axis=1)\nout = mx.sym.Group([s[0] + s[1], s[1]])",
        data=(3, 4),
    ),
    case(
        "split_between_convolutions",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8, name='c0')\n"
        "s = mx.sym.split(c, num_outputs=2, axis=1)\n"
        "out = mx.sym.Convolution(mx.sym.relu(s[1]), kernel=(1, 1), num_filter=4, name='c1')",
        rtol=1e-4,
        atol=1e-4,
        data=(2, 3, 6, 6),
    ),
    Case(
        name="split_int32",
        code=S.format("num_outputs=2, axis=0"),
        inputs={"data": (4, 3)},
        dtypes={"data": "int32"},
        low=-9,
        high=9,
    ),
    case("split_v2_sections", V.format("2, axis=1"), data=(2, 4, 3)),
    case("split_v2_sections_axis0", V.format("3"), data=(6, 2)),
    case("split_v2_indices", V.format("(1, 3), axis=1"), data=(2, 5, 2)),
    case("split_v2_indices_axis_last", V.format("(2,), axis=-1"), data=(3, 4)),
    case("split_v2_empty_part", V.format("(2, 2), axis=0"), data=(4, 3)),
    case("split_v2_squeeze", V.format("3, axis=1, squeeze_axis=True"), data=(2, 3, 4)),
    case(
        "split_v2_some_outputs",
        "s = mx.sym.split_v2(data, (1, 4), axis=1)\nout = s[1]",
        data=(2, 6),
    ),
    case(
        "split_v2_internal_sections_remainder",
        "out = mx.sym._internal._split_v2(data, indices=(), sections=3, axis=1)",
        data=(2, 7),
    ),
]

test_split = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("np_split", N + "out = mx.sym.Group(mx.sym.np.split(x, 2, axis=0))", data=(4, 3)),
    case(
        "np_split_indices",
        N + "out = mx.sym.Group(mx.sym.np.split(x, [1, 3], axis=1))",
        data=(2, 5),
    ),
    case(
        "np_array_split", N + "out = mx.sym.Group(mx.sym.np.array_split(x, 3, axis=1))", data=(2, 8)
    ),
    case("np_hsplit", N + "out = mx.sym.Group(mx.sym.np.hsplit(x, 2))", data=(2, 4, 3)),
    case("np_hsplit_indices", N + "out = mx.sym.Group(mx.sym.np.hsplit(x, [1, 3]))", data=(3, 5)),
    case("np_hsplit_1d", N + "out = mx.sym.Group(mx.sym.np.hsplit(x, 3))", data=(6,)),
    case("np_dsplit", N + "out = mx.sym.Group(mx.sym.np.dsplit(x, 2))", data=(2, 3, 4)),
    case("np_vsplit", N + "out = mx.sym.Group(mx.sym.np.vsplit(x, 2))", data=(4, 3)),
    case(
        "np_split_some_outputs",
        N + "s = mx.sym.np.split(x, 3, axis=0)\nout = s[2]",
        data=(6, 2),
    ),
]

test_split_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_npx_slice_channel_alias(tmp_path):
    p = one_node(
        tmp_path,
        "_npx_slice_channel",
        {"num_outputs": "2", "axis": "-1"},
        {"data": (2, 4)},
        num_outputs=2,
    )
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    a, b = p(data=x)
    np.testing.assert_array_equal(a, x[:, :2])
    np.testing.assert_array_equal(b, x[:, 2:])


def test_split_all_outputs_of_hand_written_graph(tmp_path):
    p = one_node(
        tmp_path, "SliceChannel", {"num_outputs": "3", "axis": "0"}, {"data": (3, 2)}, num_outputs=3
    )
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    outs = p(data=x)
    assert len(outs) == 3
    for i, y in enumerate(outs):
        np.testing.assert_array_equal(y, x[i : i + 1])


def test_npi_dsplit_rejects_2d(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_dsplit node 'n'.*at least 3 axes"
    ):
        one_node(
            tmp_path,
            "_npi_dsplit",
            {"indices": "()", "sections": "2", "axis": "2"},
            {"data": (2, 4)},
        )


def test_split_rejects_uneven(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SliceChannel node 'n'.*does not evenly divide"
    ):
        one_node(tmp_path, "SliceChannel", {"num_outputs": "3"}, {"data": (2, 4)})


def test_split_rejects_bad_squeeze(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"SliceChannel node 'n'.*squeeze_axis"):
        one_node(
            tmp_path,
            "SliceChannel",
            {"num_outputs": "2", "squeeze_axis": "True"},
            {"data": (2, 4)},
        )


def test_split_v2_rejects_unsorted_indices(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_split_v2 node 'n'.*after its end"):
        one_node(tmp_path, "_split_v2", {"indices": "(0, 3, 1)", "axis": "1"}, {"data": (2, 4)})


def test_split_v2_rejects_index_past_end(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_split_v2 node 'n'.*past the axis"):
        one_node(tmp_path, "_split_v2", {"indices": "(0, 6)", "axis": "1"}, {"data": (2, 4)})


def test_split_v2_rejects_no_indices_or_sections(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_split_v2 node 'n'.*indices or sections"
    ):
        one_node(tmp_path, "_split_v2", {"indices": "()", "axis": "1"}, {"data": (2, 4)})


def test_split_v2_rejects_missing_indices(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_split_v2 node 'n'.*indices"):
        one_node(tmp_path, "_split_v2", {"sections": "2", "axis": "1"}, {"data": (2, 4)})
