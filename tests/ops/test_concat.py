# SPDX-License-Identifier: Apache-2.0
"""Concat against MXNet 1.9.1 and 2.0.0b1: every axis (negative too), 1 to 4 inputs, odd sizes,
float16/int32/int64/float64, and MXNet 2's dim=None."""

import json

import numpy as np
import pytest
from ops._patch import run_patched, set_op
from oracle.cases import Case, case, oracle_test, run_cases

import mxserve


def cat(name, n, attrs, **shapes):
    args = ", ".join(f"x{i}" for i in range(n))
    return case(name, f"out = mx.sym.Concat({args}, num_args={n}, name='cat', {attrs})", **shapes)


CASES = [
    cat("concat_default_dim1", 2, "", x0=(2, 3, 4), x1=(2, 5, 4)),
    cat("concat_dim0", 3, "dim=0", x0=(1, 3), x1=(4, 3), x2=(2, 3)),
    cat("concat_last", 2, "dim=3", x0=(2, 3, 4, 5), x1=(2, 3, 4, 7)),
    cat("concat_neg", 2, "dim=-2", x0=(2, 3, 4), x1=(2, 1, 4)),
    cat("concat_single", 1, "dim=1", x0=(2, 3)),
    cat(
        "concat_four",
        4,
        "dim=1",
        x0=(1, 1, 3, 3),
        x1=(1, 2, 3, 3),
        x2=(1, 3, 3, 3),
        x3=(1, 5, 3, 3),
    ),
    cat("concat_1d", 2, "dim=0", x0=(5,), x1=(3,)),
    case("concat_alias_lower", "out = mx.sym.concat(x0, x1, dim=2)", x0=(2, 2, 3), x1=(2, 2, 1)),
] + [
    Case(
        name=f"concat_{dt}",
        code="out = mx.sym.Concat(x0, x1, dim=1)",
        inputs={"x0": (2, 3, 2), "x1": (2, 4, 2)},
        dtypes={"x0": dt, "x1": dt},
        low=-100,
        high=100,
    )
    for dt in ("float16", "int32", "int64", "float64")
]

CASES2 = [
    # reset_np: MXNet 2 otherwise saves .params in the V3 format mxserve cannot read yet.
    case(
        "concat_mx2", "out = mx.sym.Concat(x0, x1, dim=-1)\nmx.npx.reset_np()", x0=(2, 3), x1=(2, 4)
    ),
    case(
        "concat_mx2_dim_none",
        "out = mx.sym.Concat(x0, x1, dim=None)\nmx.npx.reset_np()",
        x0=(2, 3),
        x1=(4, 1, 2),
    ),
]

test_concat = oracle_test(CASES)
test_concat_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_concat_alias_npi_concatenate():
    got, want = run_patched(CASES, "concat_dim0", set_op("Concat", "_npi_concatenate"))
    np.testing.assert_array_equal(got[0], want[0])


def test_concat_rejects_mismatched_shapes():
    d = run_cases(CASES) / "concat_default_dim1"
    sym = json.loads((d / "symbol.json").read_text())
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"Concat node 'cat'.*input 1 has shape \(2, 5, 3\)"
    ):
        mxserve.Predictor(
            json.dumps(sym), d / "model.params", input_shapes={"x0": (2, 3, 4), "x1": (2, 5, 3)}
        )


def test_concat_rejects_wrong_num_args():
    # num_args=3 with two inputs: the loader adds the missing third argument, which nobody binds.
    with pytest.raises(
        mxserve.MXServeError, match=r"'cat_arg2' \(read by Concat node 'cat'\) is neither an input"
    ):
        run_patched(CASES, "concat_default_dim1", set_op("Concat", "Concat", num_args="3"))
