# SPDX-License-Identifier: Apache-2.0
"""L2Normalization against MXNet 1.9.1: instance (2-D and 4-D), channel and spatial modes, a
large eps, all-zero rows."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test, run_cases

import mxserve

L = "out = mx.sym.L2Normalization(data{})"
CASES = [
    case("l2norm_instance_2d", L.format(""), data=(3, 7)),
    case("l2norm_instance_4d", L.format(", mode='instance'"), data=(2, 3, 4, 5)),
    case("l2norm_channel", L.format(", mode='channel'"), data=(2, 6, 3, 4)),
    case("l2norm_channel_3d", L.format(", mode='channel'"), data=(2, 5, 7)),
    case("l2norm_spatial", L.format(", mode='spatial'"), data=(2, 3, 4, 5)),
    case("l2norm_eps", L.format(", mode='channel', eps=0.5"), data=(1, 4, 3, 3)),
    Case(
        name="l2norm_zero_rows",
        code="out = mx.sym.L2Normalization(data * 0, mode='spatial')",
        inputs={"data": (1, 2, 3, 3)},
    ),
    case(
        "l2norm_between_convs",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "n = mx.sym.L2Normalization(c, mode='channel')\n"
        "out = mx.sym.Convolution(n, kernel=(1, 1), num_filter=4)",
        data=(2, 3, 6, 5),
        rtol=1e-4,
    ),
]

test_l2_normalization = oracle_test(CASES)


def test_l2_normalization_rejects_2d_channel(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"L2Normalization node 'n'.*at least 3 dimensions"
    ):
        one_node(tmp_path, "L2Normalization", {"mode": "channel"}, {"data": (2, 3)})


def test_l2_normalization_rejects_unknown_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"L2Normalization node 'n'.*mode"):
        one_node(tmp_path, "L2Normalization", {"mode": "batch"}, {"data": (2, 3)})


def test_l2_normalization_channels_last_between_convolutions():
    # Between two convolutions the planner keeps the activations channels-last.
    d = run_cases(CASES) / "l2norm_between_convs"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3, 6, 5)}
    )
    assert "ref:l2_normalization_nhwc" in dict(p.info()["kernels"]).values()
