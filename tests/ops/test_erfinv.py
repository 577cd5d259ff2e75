# SPDX-License-Identifier: Apache-2.0
"""erfinv (_npx_erfinv) against MXNet 1.9.1 and 2.0.0b1: the open interval, values near +-1,
tiny values, +-1 (infinite) and values outside [-1, 1] (NaN)."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

T = dict(rtol=1e-5, atol=1e-6)

CASES = [
    case("erfinv_basic", "out = mx.sym.erfinv(data)", data=(4, 25), **T),
    Case(
        name="erfinv_tails",
        code="out = mx.sym.erfinv(data)",
        inputs={"data": (64,)},
        low=0.99,
        high=0.999999,
        rtol=1e-4,
        atol=1e-5,
    ),
    case("erfinv_tiny", "out = mx.sym.erfinv(data * 1e-8)", data=(3, 7), **T),
    case("erfinv_edges", "out = mx.sym.erfinv(mx.sym.clip(data * 2, -1, 1))", data=(5, 8), **T),
    case("erfinv_outside", "out = mx.sym.erfinv(data * 3)", data=(5, 8), **T),
]

test_erfinv = oracle_test(CASES)

CASES2 = [
    case("npx_erfinv", "out = mx.sym.npx.erfinv(data.as_np_ndarray())", data=(3, 9), **T),
]

test_erfinv_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_erfinv_rejects_attributes(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"erfinv node 'n'.*axis"):
        one_node(tmp_path, "erfinv", {"axis": "1"})
