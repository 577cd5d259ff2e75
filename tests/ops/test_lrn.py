# SPDX-License-Identifier: Apache-2.0
"""LRN against MXNet 1.9.1: window sizes (odd and even, wider than C), alpha/beta/knorm."""

import pytest
from ops._patch import run_patched, set_op
from oracle.cases import case, oracle_test, run_cases

import mxserve

T = dict(rtol=1e-5, atol=1e-5)

CASES = [
    case("lrn_nsize3", "out = mx.sym.LRN(data, nsize=3, name='lrn')", data=(2, 7, 5, 5), **T),
    case(
        "lrn_nsize5_params",
        "out = mx.sym.LRN(data, nsize=5, alpha=0.5, beta=0.6, knorm=1.0)",
        data=(1, 9, 4, 3),
        **T,
    ),
    case("lrn_nsize1", "out = mx.sym.LRN(data, nsize=1, alpha=2.0)", data=(1, 3, 2, 2), **T),
    case(
        "lrn_nsize_wider_than_c",
        "out = mx.sym.LRN(data, nsize=7, alpha=1.0)",
        data=(2, 3, 3, 3),
        **T,
    ),
    case("lrn_nsize4", "out = mx.sym.LRN(data, nsize=4, alpha=0.8)", data=(1, 6, 2, 3), **T),
    case(
        "lrn_alexnet",
        "out = mx.sym.LRN(data, nsize=5, alpha=1e-4, beta=0.75, knorm=2.0)",
        data=(1, 16, 13, 13),
        **T,
    ),
]

test_lrn = oracle_test(CASES)


def test_lrn_rejects_missing_nsize():
    def patch(sym):
        del [n for n in sym["nodes"] if n["op"] == "LRN"][0]["attrs"]["nsize"]

    with pytest.raises(mxserve.InvalidArgumentError, match=r"LRN node 'lrn'.*nsize"):
        run_patched(CASES, "lrn_nsize3", patch)


def test_lrn_rejects_3d_data():
    d = run_cases(CASES) / "lrn_nsize3"
    with pytest.raises(mxserve.InvalidArgumentError, match=r"LRN node 'lrn'.*data must be 4-D"):
        mxserve.Predictor(
            (d / "symbol.json").read_text(), d / "model.params", input_shapes={"data": (4, 7, 3)}
        )


def test_lrn_rejects_zero_nsize():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"nsize must be positive"):
        run_patched(CASES, "lrn_nsize3", set_op("LRN", "LRN", nsize="0"))
