# SPDX-License-Identifier: Apache-2.0
"""reverse / flip against MXNet 1.9.1: one axis, several axes, an axis listed twice, the last
axis, int and float16 data, and a size-1 axis."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("reverse_axis0", "out = mx.sym.reverse(data, axis=0)", data=(3, 4)),
    case("reverse_last", "out = mx.sym.reverse(data, axis=2)", data=(2, 3, 5)),
    case("reverse_middle", "out = mx.sym.reverse(data, axis=1)", data=(2, 4, 3, 2)),
    case("reverse_two_axes", "out = mx.sym.reverse(data, axis=(0, 2))", data=(3, 2, 4)),
    case("reverse_twice", "out = mx.sym.reverse(data, axis=(1, 1))", data=(2, 5)),
    case("reverse_size_one", "out = mx.sym.reverse(data, axis=(0, 1))", data=(1, 6)),
    case("flip_alias", "out = mx.sym.flip(data, axis=1)", data=(3, 7)),
    Case(
        name="reverse_int32",
        code="out = mx.sym.reverse(data, axis=(0, 1))",
        inputs={"data": (4, 3)},
        dtypes={"data": "int32"},
        low=-100,
        high=100,
    ),
    Case(
        name="reverse_float16",
        code="out = mx.sym.reverse(data, axis=1)",
        inputs={"data": (2, 9)},
        dtypes={"data": "float16"},
    ),
]

test_reverse = oracle_test(CASES)


def test_reverse_rejects_axis_out_of_bounds(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"reverse node 'n'.*out of bounds"):
        one_node(tmp_path, "reverse", {"axis": "(2,)"}, {"data": (2, 3)})


def test_reverse_rejects_negative_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"reverse node 'n'.*negative"):
        one_node(tmp_path, "reverse", {"axis": "(-1,)"}, {"data": (2, 3)})
