# SPDX-License-Identifier: Apache-2.0
"""_contrib_AdaptiveAvgPooling2D against MXNet 1.9.1: default 1x1, square and rectangular
output sizes, uneven (overlapping) windows, upsampling sizes larger than the input."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

A = "out = mx.sym.contrib.AdaptiveAvgPooling2D(data{})"
CASES = [
    case("adaptive_default", A.format(""), data=(2, 3, 5, 7)),
    case("adaptive_one", A.format(", output_size=1"), data=(2, 4, 6, 6)),
    case("adaptive_square", A.format(", output_size=3"), data=(1, 2, 7, 8)),
    case("adaptive_pyramid_6", A.format(", output_size=6"), data=(1, 3, 16, 16)),
    case("adaptive_rect", A.format(", output_size=(2, 5)"), data=(2, 2, 9, 11)),
    case("adaptive_larger_than_input", A.format(", output_size=(5, 4)"), data=(1, 2, 3, 2)),
    case("adaptive_same_size", A.format(", output_size=(4, 4)"), data=(1, 2, 4, 4)),
    case(
        "adaptive_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.contrib.AdaptiveAvgPooling2D(c, output_size=2)",
        data=(1, 3, 8, 8),
        rtol=1e-4,
    ),
    case(
        "adaptive_between_convs",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "r = mx.sym.contrib.AdaptiveAvgPooling2D(c, output_size=(3, 2))\n"
        "out = mx.sym.Convolution(r, kernel=(1, 1), num_filter=4)",
        data=(2, 3, 7, 5),
        rtol=1e-4,
    ),
]

test_adaptive_pooling = oracle_test(CASES)


def test_adaptive_pooling_rejects_3d_input(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_AdaptiveAvgPooling2D node 'n'.*4-D"
    ):
        one_node(
            tmp_path, "_contrib_AdaptiveAvgPooling2D", {"output_size": "2"}, {"data": (2, 3, 4)}
        )


def test_adaptive_pooling_rejects_three_sizes(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_AdaptiveAvgPooling2D node 'n'.*at most 2"
    ):
        one_node(
            tmp_path,
            "_contrib_AdaptiveAvgPooling2D",
            {"output_size": "(1, 2, 3)"},
            {"data": (1, 1, 4, 4)},
        )


def test_adaptive_pooling_rejects_zero_size(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_AdaptiveAvgPooling2D node 'n'.*positive"
    ):
        one_node(
            tmp_path, "_contrib_AdaptiveAvgPooling2D", {"output_size": "0"}, {"data": (1, 1, 4, 4)}
        )


def test_adaptive_pooling_channels_last_between_convolutions():
    # Between two convolutions the planner keeps the activations channels-last.
    d = run_cases(CASES) / "adaptive_between_convs"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3, 7, 5)}
    )
    assert "ref:adaptive_avg_pool_nhwc" in dict(p.info()["kernels"]).values()
