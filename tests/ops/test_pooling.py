# SPDX-License-Identifier: Apache-2.0
"""Pooling against MXNet 1.9.1 and 2.0.0b1: max/avg/sum/lp, 1-D to 3-D, valid/full/same,
count_include_pad, global pooling, odd sizes where 'full' adds right padding."""

import numpy as np
import pytest
from ops._patch import run_patched, set_op
from oracle.cases import case, oracle_test, run_cases

import mxserve


def pool(name, attrs, **shape):
    return case(name, f"out = mx.sym.Pooling(data, name='pool', {attrs})", **shape)


CASES = [
    pool("max2d_valid", "kernel=(3, 3), stride=(2, 2)", data=(2, 3, 9, 8)),
    pool("max2d_pad", "kernel=(3, 3), stride=(2, 2), pad=(1, 1)", data=(1, 4, 7, 7)),
    pool(
        "max2d_full", "kernel=(3, 3), stride=(2, 2), pooling_convention='full'", data=(1, 3, 8, 10)
    ),
    pool(
        "max2d_full_pad",
        "kernel=(3, 2), stride=(2, 3), pad=(1, 1), pooling_convention='full'",
        data=(2, 2, 10, 11),
    ),
    pool("avg2d_valid", "kernel=(2, 2), stride=(2, 2), pool_type='avg'", data=(2, 3, 8, 9)),
    pool("avg2d_pad_include", "kernel=(3, 3), pad=(1, 1), pool_type='avg'", data=(1, 3, 5, 6)),
    pool(
        "avg2d_pad_exclude",
        "kernel=(3, 3), pad=(1, 1), pool_type='avg', count_include_pad=False",
        data=(1, 3, 5, 6),
    ),
    pool(
        "avg2d_full_sym",
        "kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type='avg', pooling_convention='full'",
        data=(1, 2, 9, 9),
    ),
    pool(
        "avg2d_full_extra_include",
        "kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type='avg', pooling_convention='full'",
        data=(1, 2, 8, 10),
    ),
    pool(
        "avg2d_full_extra_exclude",
        "kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type='avg', pooling_convention='full', count_include_pad=False",
        data=(1, 2, 8, 10),
    ),
    pool(
        "avg2d_full_nopad",
        "kernel=(2, 2), stride=(2, 2), pool_type='avg', pooling_convention='full'",
        data=(2, 3, 7, 5),
    ),
    pool("sum2d", "kernel=(2, 3), stride=(1, 2), pad=(1, 1), pool_type='sum'", data=(1, 3, 6, 7)),
    pool(
        "sum2d_full",
        "kernel=(3, 3), stride=(2, 2), pool_type='sum', pooling_convention='full'",
        data=(1, 2, 8, 8),
    ),
    pool("lp1", "kernel=(2, 2), pool_type='lp', p_value=1", data=(1, 2, 5, 5)),
    pool(
        "lp2",
        "kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type='lp', p_value=2",
        data=(1, 2, 7, 6),
    ),
    pool("lp3", "kernel=(2, 2), pool_type='lp', p_value=3", data=(1, 2, 4, 5)),
    pool("global_max", "kernel=(1, 1), global_pool=True", data=(2, 5, 7, 6)),
    pool("global_avg", "kernel=(3, 3), global_pool=True, pool_type='avg'", data=(2, 5, 7, 6)),
    pool("global_avg_no_kernel", "global_pool=True, pool_type='avg'", data=(2, 5, 7, 6)),
    pool("global_sum", "kernel=(2, 2), global_pool=True, pool_type='sum'", data=(1, 3, 4, 5)),
    pool("global_avg_1d", "kernel=(2,), global_pool=True, pool_type='avg'", data=(2, 3, 9)),
    pool("global_max_3d", "kernel=(1, 1, 1), global_pool=True", data=(1, 2, 3, 4, 5)),
    pool("max1d", "kernel=(3,), stride=(2,), pad=(1,)", data=(2, 3, 10)),
    pool(
        "avg1d_full",
        "kernel=(3,), stride=(2,), pool_type='avg', pooling_convention='full'",
        data=(2, 3, 10),
    ),
    # MXNet 1.9.1 runs 'same' only for avg and only when pad has three entries; max fails in MKLDNN.
    pool(
        "avg1d_same",
        "kernel=(4,), stride=(3,), pad=(0, 0, 0), pool_type='avg', pooling_convention='same'",
        data=(1, 2, 11),
    ),
    pool("max3d", "kernel=(2, 3, 3), stride=(2, 2, 2), pad=(0, 1, 1)", data=(1, 2, 5, 7, 7)),
    pool(
        "avg3d_full",
        "kernel=(2, 2, 2), stride=(2, 2, 2), pool_type='avg', pooling_convention='full'",
        data=(1, 2, 5, 5, 3),
    ),
    pool(
        "avg3d_exclude",
        "kernel=(3, 3, 3), pad=(1, 1, 1), pool_type='avg', count_include_pad=False",
        data=(1, 2, 4, 5, 3),
    ),
    pool("max2d_kernel_equals_input", "kernel=(5, 6)", data=(1, 2, 5, 6)),
]

CASES2 = [
    case(
        "npx_pooling_avg",
        "out = mx.sym.npx.pooling(data.as_np_ndarray(), kernel=(3, 3), stride=(2, 2), pad=(1, 1),"
        " pool_type='avg', pooling_convention='full').as_nd_ndarray()\nmx.npx.reset_np()",
        data=(1, 2, 8, 10),
    ),
    case(
        "npx_pooling_max",
        "out = mx.sym.npx.pooling(data.as_np_ndarray(), kernel=(2, 2), stride=(2, 2)).as_nd_ndarray()"
        "\nmx.npx.reset_np()",
        data=(2, 3, 7, 7),
    ),
]

test_pooling = oracle_test(CASES)
# The cases call mx.npx.reset_np() last: MXNet 2 otherwise saves .params in the V3 format,
# which mxserve's reader does not accept yet.
test_pooling_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_pooling_alias_npx():
    got, want = run_patched(CASES, "avg2d_full_extra_include", set_op("Pooling", "_npx_pooling"))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


def test_pooling_max_same_matches_formula():
    # No MXNet build computes max 'same' pooling on CPU, so numpy is the oracle: windows start at
    # i * stride, cover `kernel` cells and are clipped at the end; the output has ceil(W / stride).
    got, _ = run_patched(CASES, "avg1d_same", set_op("Pooling", "Pooling", pool_type="max"))
    with np.load(run_cases(CASES) / "avg1d_same" / "inputs.npz") as f:
        x = f["data"]
    want = np.stack([x[:, :, s : s + 4].max(axis=2) for s in range(0, 11, 3)], axis=2)
    np.testing.assert_array_equal(got[0], want)


def test_pooling_rejects_kernel_larger_than_input():
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"Pooling node 'pool'.*kernel size 9 exceeds input 5"
    ):
        run_patched(
            CASES, "max2d_kernel_equals_input", set_op("Pooling", "Pooling", kernel="(9, 6)")
        )


def test_pooling_rejects_bad_pool_type():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Pooling node 'pool'.*pool_type"):
        run_patched(CASES, "max2d_valid", set_op("Pooling", "Pooling", pool_type="median"))


def test_pooling_rejects_lp_without_p_value():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"p_value is required"):
        run_patched(CASES, "max2d_valid", set_op("Pooling", "Pooling", pool_type="lp"))


def test_pooling_rejects_channels_last():
    with pytest.raises(mxserve.MXServeError, match=r"layout NHWC is not supported"):
        run_patched(CASES, "max2d_valid", set_op("Pooling", "Pooling", layout="NHWC"))
