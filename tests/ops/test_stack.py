# SPDX-License-Identifier: Apache-2.0
"""stack (axis 0, middle, last, negative; one input; integer dtype) against MXNet 1.9.1 and
np.stack (_npi_stack) from MXNet 2.0."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("stack_default", "out = mx.sym.stack(a, b)", a=(2, 3), b=(2, 3)),
    case("stack_axis1", "out = mx.sym.stack(a, b, c, axis=1)", a=(2, 3), b=(2, 3), c=(2, 3)),
    case("stack_axis_last", "out = mx.sym.stack(a, b, axis=2)", a=(2, 3), b=(2, 3)),
    case("stack_axis_negative", "out = mx.sym.stack(a, b, c, axis=-1)", a=(4,), b=(4,), c=(4,)),
    case("stack_axis_minus_ndim", "out = mx.sym.stack(a, b, axis=-3)", a=(2, 5), b=(2, 5)),
    case("stack_single", "out = mx.sym.stack(a)", a=(3, 2)),
    case("stack_4d", "out = mx.sym.stack(a, b, axis=2)", a=(2, 3, 4, 5), b=(2, 3, 4, 5)),
    case("stack_same_input", "out = mx.sym.stack(a, a, axis=1)", a=(3, 4)),
    case("stack_float16", "out = mx.sym.stack(a, b, axis=-1)", dtype="float16", a=(2, 3), b=(2, 3)),
    Case(
        name="stack_int32",
        code="out = mx.sym.stack(a, b, axis=1)",
        inputs={"a": (3, 2), "b": (3, 2)},
        dtypes={"a": "int32", "b": "int32"},
        low=-50,
        high=50,
    ),
]

test_stack = oracle_test(CASES)

N = "x = a.as_np_ndarray(); y = b.as_np_ndarray()\n"
CASES2 = [
    case("np_stack", N + "out = mx.sym.np.stack([x, y])", a=(2, 3), b=(2, 3)),
    case("np_stack_axis", N + "out = mx.sym.np.stack([x, y, x], axis=-1)", a=(2, 3), b=(2, 3)),
]

test_stack_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_stack_rejects_different_shapes(tmp_path):
    shapes = {"a": (2, 3), "b": (3, 2)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"stack node 'n'.*same shape"):
        one_node(tmp_path, "stack", {"num_args": "2"}, shapes)


def test_stack_rejects_bad_axis(tmp_path):
    shapes = {"a": (2, 3), "b": (2, 3)}
    with pytest.raises(mxserve.InvalidArgumentError, match=r"stack node 'n'.*out of bounds"):
        one_node(tmp_path, "stack", {"num_args": "2", "axis": "3"}, shapes)


def test_stack_rejects_zero_num_args(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"stack node 'n'.*num_args"):
        one_node(tmp_path, "stack", {"num_args": "0"}, {"a": (2,)})
