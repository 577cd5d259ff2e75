# SPDX-License-Identifier: Apache-2.0
"""reshape_like (whole shapes, lhs/rhs ranges with negative and None ends, integer lhs with a
float rhs) against MXNet 1.9.1 and _npx_reshape_like from MXNet 2.0; the output aliases lhs."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    case("reshape_like_all", "out = mx.sym.reshape_like(lhs, rhs)", lhs=(2, 6), rhs=(3, 4)),
    case("reshape_like_to_1d", "out = mx.sym.reshape_like(lhs, rhs)", lhs=(2, 3, 4), rhs=(24,)),
    case(
        "reshape_like_ranges",
        "out = mx.sym.reshape_like(lhs, rhs, lhs_begin=1, lhs_end=3, rhs_begin=0, rhs_end=1)",
        lhs=(2, 3, 4, 5),
        rhs=(12, 7),
    ),
    case(
        "reshape_like_negative",
        "out = mx.sym.reshape_like(lhs, rhs, lhs_begin=-2, rhs_begin=-3, rhs_end=-1)",
        lhs=(5, 6, 2),
        rhs=(9, 3, 4, 1),
    ),
    case(
        "reshape_like_lhs_end_only",
        "out = mx.sym.reshape_like(lhs, rhs, lhs_end=1, rhs_begin=1)",
        lhs=(6, 5),
        rhs=(7, 2, 3),
    ),
    case(
        "reshape_like_then_relu",
        "out = mx.sym.relu(mx.sym.reshape_like(mx.sym.relu(lhs), rhs))",
        lhs=(4, 6),
        rhs=(2, 12),
    ),
    Case(
        name="reshape_like_int32_lhs",
        code="out = mx.sym.reshape_like(lhs, rhs)",
        inputs={"lhs": (2, 6), "rhs": (4, 3)},
        dtypes={"lhs": "int32", "rhs": "float32"},
        low=-9,
        high=9,
    ),
]

test_reshape_like = oracle_test(CASES)

CASES2 = [
    case(
        "npx_reshape_like",
        "out = mx.sym.npx.reshape_like(lhs.as_np_ndarray(), rhs.as_np_ndarray())",
        lhs=(3, 4),
        rhs=(6, 2),
    ),
]

test_reshape_like_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_reshape_like_aliases_lhs(tmp_path):
    p = one_node(tmp_path, "reshape_like", None, {"lhs": (2, 3), "rhs": (3, 2)})
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (y,) = p(lhs=x, rhs=np.zeros((3, 2), np.float32))
    np.testing.assert_array_equal(y, x.reshape(3, 2))


def test_reshape_like_rejects_size_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"reshape_like node 'n'.*sizes differ"):
        one_node(tmp_path, "reshape_like", None, {"lhs": (2, 3), "rhs": (4, 2)})


def test_reshape_like_rejects_empty_range(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"reshape_like node 'n'.*must come before"
    ):
        one_node(
            tmp_path,
            "reshape_like",
            {"lhs_begin": "1", "lhs_end": "1"},
            {"lhs": (2, 3), "rhs": (6,)},
        )


def test_reshape_like_rejects_end_past_ndim(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"reshape_like node 'n'.*rhs_end=3"):
        one_node(tmp_path, "reshape_like", {"rhs_end": "3"}, {"lhs": (2, 3), "rhs": (6,)})
