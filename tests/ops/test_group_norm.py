# SPDX-License-Identifier: Apache-2.0
"""GroupNorm against MXNet 1.9.1 (one gamma and beta per group), output_mean_var, 3-D to 5-D
data; MXNet 2.0's per-channel gamma and beta."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

G = "out = mx.sym.GroupNorm(data, {})"
CASES = [
    case("group_norm_default", G.format(""), data=(2, 4, 3, 3), rtol=1e-4),
    case("group_norm_groups", G.format("num_groups=4, eps=1e-3"), data=(2, 8, 5, 5), rtol=1e-4),
    case("group_norm_3d", G.format("num_groups=2"), data=(3, 6, 7), rtol=1e-4),
    case("group_norm_5d", G.format("num_groups=3"), data=(1, 6, 2, 3, 4), rtol=1e-4),
    case(
        "group_norm_mean_var",
        "out = mx.sym.Group(list(mx.sym.GroupNorm(data, num_groups=2, output_mean_var=True)))",
        data=(2, 4, 3, 5),
        rtol=1e-4,
    ),
    case(
        "group_norm_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.GroupNorm(c, num_groups=4), kernel=(1, 1), num_filter=4)",
        data=(1, 3, 6, 6),
        rtol=1e-4,
    ),
    case(
        "group_norm_between_convs",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.GroupNorm(c, num_groups=2), kernel=(1, 1), num_filter=4)",
        data=(2, 3, 6, 5),
        rtol=1e-4,
    ),
]

test_group_norm = oracle_test(CASES)

CASES2 = [
    case(
        "npx_group_norm",
        "out = mx.sym.npx.group_norm(data.as_np_ndarray(), mx.sym.var('gamma').as_np_ndarray(),"
        " mx.sym.var('beta').as_np_ndarray(), num_groups=3, eps=1e-3)",
        data=(2, 6, 5),
        rtol=1e-4,
    ),
    case(
        "group_norm_per_channel",
        "out = mx.sym.GroupNorm(data, num_groups=2)",
        data=(2, 6, 4, 4),
        rtol=1e-4,
    ),
]

test_group_norm_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _gn(tmp_path, attrs, shape, gamma_shape):
    return one_node(
        tmp_path,
        "GroupNorm",
        attrs,
        {"data": shape},
        params={
            "gamma": np.ones(gamma_shape, np.float32),
            "beta": np.zeros(gamma_shape, np.float32),
        },
    )


def test_group_norm_rejects_indivisible_channels(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"GroupNorm node 'n'.*not divisible"):
        _gn(tmp_path, {"num_groups": "4"}, (1, 6, 3, 3), (4,))


def test_group_norm_rejects_2d_data(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"GroupNorm node 'n'.*at least 3"):
        _gn(tmp_path, {"num_groups": "2"}, (2, 6), (2,))


def test_group_norm_rejects_gamma_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"GroupNorm node 'n'.*gamma has shape"):
        _gn(tmp_path, {"num_groups": "2"}, (1, 6, 3, 3), (3,))


def test_group_norm_channels_last_between_convolutions():
    # Between two convolutions the planner keeps the activations channels-last.
    d = run_cases(CASES) / "group_norm_between_convs"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3, 6, 5)}
    )
    assert "ref:group_norm_nhwc" in dict(p.info()["kernels"]).values()
