# SPDX-License-Identifier: Apache-2.0
"""masked_softmax and masked_log_softmax (_npx_masked_*) against MXNet 2.0.0b1: bool masks from
comparisons, broadcast masks (attention padding masks of shape (B, 1, 1, T)), other axes,
temperature, and rows masked out entirely."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

AB = "a = lhs.as_np_ndarray()\nm = rhs.as_np_ndarray() > 0\n"
CASES2 = [
    case("masked_softmax", AB + "out = mx.sym.npx.masked_softmax(a, m)", lhs=(3, 6), rhs=(3, 6)),
    case(
        "masked_softmax_broadcast_mask",
        AB + "out = mx.sym.npx.masked_softmax(a * 4, m, axis=-1)",
        lhs=(2, 3, 4, 5),
        rhs=(2, 1, 1, 5),
    ),
    case(
        "masked_softmax_axis1",
        AB + "out = mx.sym.npx.masked_softmax(a, m, axis=1)",
        lhs=(2, 5, 3),
        rhs=(2, 5, 1),
    ),
    case(
        "masked_softmax_temperature",
        AB + "out = mx.sym.npx.masked_softmax(a, m, temperature=0.5)",
        lhs=(4, 7),
        rhs=(4, 7),
    ),
    case(
        "masked_softmax_row_fully_masked",
        "a = lhs.as_np_ndarray()\nm = rhs.as_np_ndarray() > 5\n"
        "out = mx.sym.npx.masked_softmax(a, m)",
        lhs=(2, 4),
        rhs=(2, 4),
    ),
    case(
        "masked_log_softmax",
        AB + "out = mx.sym.npx.masked_log_softmax(a, m)",
        lhs=(3, 6),
        rhs=(3, 6),
    ),
    case(
        "masked_log_softmax_broadcast",
        AB + "out = mx.sym.npx.masked_log_softmax(a, m, axis=-1)",
        lhs=(2, 3, 5),
        rhs=(1, 3, 5),
    ),
]

test_masked_softmax_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, data, mask, mask_dtype="bool", attrs=None):
    return one_node(
        tmp_path,
        "masked_softmax",
        attrs or {},
        {"data": data, "mask": mask},
        dtypes={"data": "float32", "mask": mask_dtype},
        name="ms",
    )


def test_masked_softmax_rejects_float_mask(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"masked_softmax node 'ms'.*must be bool"
    ):
        _predictor(tmp_path, (2, 3), (2, 3), "float32")


def test_masked_softmax_rejects_unbroadcastable_mask(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"masked_softmax node 'ms'.*broadcast"):
        _predictor(tmp_path, (2, 3), (2, 2))


def test_masked_softmax_rejects_rank_mismatch(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"masked_softmax node 'ms'.*number of dimensions"
    ):
        _predictor(tmp_path, (2, 3), (3,))


def test_masked_softmax_rejects_bad_axis(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"masked_softmax node 'ms'"):
        _predictor(tmp_path, (2, 3), (2, 3), attrs={"axis": "2"})
