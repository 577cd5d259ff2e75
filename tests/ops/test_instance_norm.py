# SPDX-License-Identifier: Apache-2.0
"""InstanceNorm against MXNet 1.9.1: 3-D to 5-D data, eps, after a convolution; and MXNet 2.0's
_npx_instance_norm."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

CASES = [
    case("instance_norm_4d", "out = mx.sym.InstanceNorm(data)", data=(2, 3, 4, 5), rtol=1e-4),
    case(
        "instance_norm_3d_eps",
        "out = mx.sym.InstanceNorm(data, eps=0.1)",
        data=(3, 2, 7),
        rtol=1e-4,
    ),
    case("instance_norm_5d", "out = mx.sym.InstanceNorm(data)", data=(1, 2, 3, 3, 4), rtol=1e-4),
    case(
        "instance_norm_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.InstanceNorm(c), kernel=(1, 1), num_filter=4)",
        data=(2, 3, 6, 6),
        rtol=1e-4,
    ),
    case(
        "instance_norm_between_convs",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.InstanceNorm(c, eps=1e-4), kernel=(1, 1), num_filter=4)",
        data=(2, 3, 6, 5),
        rtol=1e-4,
    ),
]

test_instance_norm = oracle_test(CASES)

CASES2 = [
    case(
        "npx_instance_norm",
        "out = mx.sym.npx.instance_norm(data.as_np_ndarray(), mx.sym.var('gamma').as_np_ndarray(),"
        " mx.sym.var('beta').as_np_ndarray(), eps=1e-4)",
        data=(2, 3, 4, 4),
        rtol=1e-4,
    ),
]

test_instance_norm_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_instance_norm_rejects_2d_data(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"InstanceNorm node 'n'.*at least 3"):
        one_node(
            tmp_path,
            "InstanceNorm",
            {},
            {"data": (2, 3)},
            params={"gamma": np.ones(3, np.float32), "beta": np.zeros(3, np.float32)},
        )


def test_instance_norm_rejects_gamma_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"InstanceNorm node 'n'.*gamma"):
        one_node(
            tmp_path,
            "InstanceNorm",
            {},
            {"data": (2, 3, 4)},
            params={"gamma": np.ones(2, np.float32), "beta": np.zeros(3, np.float32)},
        )


def test_instance_norm_channels_last_between_convolutions():
    # Between two convolutions the planner keeps the activations channels-last.
    d = run_cases(CASES) / "instance_norm_between_convs"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3, 6, 5)}
    )
    assert "ref:instance_norm_nhwc" in dict(p.info()["kernels"]).values()
