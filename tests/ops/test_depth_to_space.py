# SPDX-License-Identifier: Apache-2.0
"""depth_to_space and space_to_depth (block sizes 1-3, round trips, integer dtype) against
MXNet 1.9.1 and MXNet 2.0."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

D = "out = mx.sym.depth_to_space(data, block_size={})"
S = "out = mx.sym.space_to_depth(data, block_size={})"
CASES = [
    case("depth_to_space_2", D.format(2), data=(2, 8, 3, 4)),
    case("depth_to_space_3", D.format(3), data=(1, 18, 2, 3)),
    case("depth_to_space_1", D.format(1), data=(2, 3, 4, 5)),
    case("depth_to_space_4_channels", D.format(2), data=(1, 4, 5, 5)),
    case("space_to_depth_2", S.format(2), data=(2, 3, 4, 6)),
    case("space_to_depth_3", S.format(3), data=(1, 2, 6, 9)),
    case("space_to_depth_1", S.format(1), data=(2, 3, 4, 5)),
    case(
        "round_trip",
        "out = mx.sym.depth_to_space(mx.sym.space_to_depth(data, block_size=2), block_size=2)",
        data=(2, 3, 4, 6),
    ),
    case(
        "depth_to_space_after_convolution",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=16, name='c0')\n"
        "out = mx.sym.Convolution(mx.sym.depth_to_space(c, block_size=2), kernel=(3, 3),"
        " num_filter=2, name='c1')",
        rtol=1e-4,
        atol=1e-4,
        data=(1, 3, 5, 4),
    ),
    Case(
        name="depth_to_space_int32",
        code=D.format(2),
        inputs={"data": (1, 8, 2, 3)},
        dtypes={"data": "int32"},
        low=-99,
        high=99,
    ),
    case("depth_to_space_large", D.format(2), data=(2, 64, 17, 19)),
    case("depth_to_space_float16", D.format(2), dtype="float16", data=(1, 8, 2, 3)),
    case("space_to_depth_float16", S.format(2), dtype="float16", data=(1, 2, 4, 6)),
]

test_depth_to_space = oracle_test(CASES)

CASES2 = [
    case("mx2_depth_to_space", D.format(2), data=(1, 12, 3, 2)),
    case("mx2_space_to_depth", S.format(2), data=(1, 3, 4, 2)),
]

test_depth_to_space_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_depth_to_space_rejects_depth_not_multiple(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"depth_to_space node 'n'.*multiple"):
        one_node(tmp_path, "depth_to_space", {"block_size": "2"}, {"data": (1, 6, 2, 2)})


def test_space_to_depth_rejects_height_not_multiple(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"space_to_depth node 'n'.*multiples"):
        one_node(tmp_path, "space_to_depth", {"block_size": "2"}, {"data": (1, 2, 3, 4)})


def test_depth_to_space_rejects_3d(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"depth_to_space node 'n'.*4-D"):
        one_node(tmp_path, "depth_to_space", {"block_size": "2"}, {"data": (4, 2, 2)})


def test_depth_to_space_rejects_zero_block(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"depth_to_space node 'n'.*block_size"):
        one_node(tmp_path, "depth_to_space", {"block_size": "0"}, {"data": (1, 4, 2, 2)})
