# SPDX-License-Identifier: Apache-2.0
"""BatchNorm against MXNet 1.9.1 and 2.0.0b1: fix_gamma, eps, axis (positive, negative, last),
1-D to 3-D spatial data, output_mean_var, BatchNorm_v1."""

import numpy as np
import pytest
from ops._patch import run_patched, set_op
from oracle.cases import case, oracle_test

import mxserve

BN = "mx.sym.BatchNorm(data, name='bn', {})"

CASES = [
    case("bn_default", "out = " + BN.format(""), data=(2, 3, 5, 7)),
    case("bn_no_fix_gamma", "out = " + BN.format("fix_gamma=False"), data=(2, 5, 4, 3)),
    case("bn_eps", "out = " + BN.format("fix_gamma=False, eps=1e-5"), data=(1, 7, 3, 3)),
    case(
        "bn_global_stats",
        "out = " + BN.format("fix_gamma=False, use_global_stats=True, momentum=0.5"),
        data=(3, 4, 2, 5),
    ),
    case("bn_2d_input", "out = " + BN.format("fix_gamma=False"), data=(6, 9)),
    case("bn_3d_input", "out = " + BN.format("fix_gamma=False"), data=(2, 3, 11)),
    case("bn_5d_input", "out = " + BN.format("fix_gamma=False"), data=(1, 3, 3, 4, 5)),
    case("bn_axis_last", "out = " + BN.format("fix_gamma=False, axis=-1"), data=(2, 3, 4, 5)),
    case("bn_axis_2", "out = " + BN.format("fix_gamma=False, axis=2"), data=(2, 3, 4, 5)),
    case("bn_axis_0", "out = " + BN.format("fix_gamma=False, axis=0"), data=(3, 5)),
    case(
        "bn_output_mean_var",
        "out = " + BN.format("fix_gamma=False, output_mean_var=True"),
        data=(2, 3, 4, 4),
    ),
    case(
        "bn_output_mean_var_axis",
        "out = " + BN.format("output_mean_var=True, axis=-1"),
        data=(2, 3, 5),
    ),
    case(
        "bn_output_mean_var_first",
        "out = " + BN.format("fix_gamma=False, output_mean_var=True") + "[0]",
        data=(2, 3, 4),
    ),
    case(
        "bn_then_mean_var_heads",
        "bn = " + BN.format("output_mean_var=True") + "\nout = mx.sym.Group([bn[2], bn[1]])",
        data=(1, 4, 3, 3),
    ),
    case(
        "bn_v1",
        "out = mx.sym.BatchNorm_v1(data, name='bn', fix_gamma=False, eps=2e-5)",
        data=(2, 3, 4, 5),
    ),
    case("bn_v1_fix_gamma", "out = mx.sym.BatchNorm_v1(data, name='bn')", data=(2, 3, 4, 5)),
]

# MXNet 2 writes .params in the V3 (numpy-shape) format, which mxserve's reader does not accept
# yet; NP_V2 switches numpy shape semantics off after the symbol is built so the oracle saves V2.
NP_V2 = "\nmx.npx.reset_np()"

CASES2 = [
    case(
        "npx_batch_norm",
        "g = mx.sym.var('g'); b = mx.sym.var('b'); m = mx.sym.var('m'); v = mx.sym.var('v')\n"
        "out = mx.sym.npx.batch_norm(data.as_np_ndarray(), g.as_np_ndarray(), b.as_np_ndarray(),"
        " m.as_np_ndarray(), v.as_np_ndarray(), fix_gamma=False, eps=1e-5).as_nd_ndarray()" + NP_V2,
        data=(2, 3, 4, 5),
    ),
]

test_batch_norm = oracle_test(CASES)
test_batch_norm_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_batch_norm_alias_npx():
    got, want = run_patched(CASES, "bn_no_fix_gamma", set_op("BatchNorm", "_npx_batch_norm"))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


def test_batch_norm_rejects_axis_out_of_range():
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"BatchNorm node 'bn'.*axis 4 is out of bounds"
    ):
        run_patched(CASES, "bn_default", set_op("BatchNorm", "BatchNorm", axis="4"))


def test_batch_norm_rejects_wrong_gamma_shape():
    # Channels on axis 2 (5) do not match the stored gamma of 3 entries.
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"BatchNorm node 'bn'.*gamma has shape \(3,\), expected \(5,\)",
    ):
        run_patched(CASES, "bn_default", set_op("BatchNorm", "BatchNorm", axis="2"))


def test_batch_norm_rejects_unknown_attribute():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"BatchNorm node 'bn'.*bogus"):
        run_patched(CASES, "bn_default", set_op("BatchNorm", "BatchNorm", bogus="1"))
