# SPDX-License-Identifier: Apache-2.0
"""_contrib_SyncBatchNorm at inference against MXNet 1.9.1: the moving statistics, fix_gamma,
eps, ndev and key; output_mean_var (whose outputs MXNet leaves unwritten at inference) is
refused."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

S = "out = mx.sym.contrib.SyncBatchNorm(data, {})"
CASES = [
    case("sync_bn_default", S.format("key='bn'"), data=(2, 3, 4, 4)),
    case(
        "sync_bn_gamma_eps",
        S.format("fix_gamma=False, eps=1e-5, ndev=4, key='bn0'"),
        data=(2, 5, 3, 3),
    ),
    case("sync_bn_2d", S.format("fix_gamma=False, key='k'"), data=(4, 6)),
    case(
        "sync_bn_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.relu(mx.sym.contrib.SyncBatchNorm(c, fix_gamma=False, key='k'))",
        data=(1, 3, 6, 6),
        rtol=1e-4,
    ),
]

test_sync_batch_norm = oracle_test(CASES)


def test_sync_batch_norm_rejects_axis(tmp_path):
    c = np.ones(3, np.float32)
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_SyncBatchNorm node 'n'.*axis"
    ):
        one_node(
            tmp_path,
            "_contrib_SyncBatchNorm",
            {"axis": "1", "key": "k"},
            {"data": (2, 3, 4)},
            params={"gamma": c, "beta": c, "moving_mean": c, "moving_var": c},
        )


def test_sync_batch_norm_rejects_missing_key(tmp_path):
    c = np.ones(3, np.float32)
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_contrib_SyncBatchNorm node 'n'.*key"):
        one_node(
            tmp_path,
            "_contrib_SyncBatchNorm",
            {},
            {"data": (2, 3, 4)},
            params={"gamma": c, "beta": c, "moving_mean": c, "moving_var": c},
        )


def test_sync_batch_norm_rejects_output_mean_var(tmp_path):
    c = np.ones(3, np.float32)
    with pytest.raises(
        mxserve.UnsupportedError, match=r"_contrib_SyncBatchNorm node 'n'.*output_mean_var"
    ):
        one_node(
            tmp_path,
            "_contrib_SyncBatchNorm",
            {"key": "k", "output_mean_var": "True"},
            {"data": (2, 3, 4)},
            params={"gamma": c, "beta": c, "moving_mean": c, "moving_var": c},
            num_outputs=3,
        )


def test_sync_batch_norm_folds_into_convolution():
    d = run_cases(CASES) / "sync_bn_after_conv"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (1, 3, 6, 6)}
    )
    assert "_contrib_SyncBatchNorm" not in p.info()["ops"]
