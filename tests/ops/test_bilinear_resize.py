# SPDX-License-Identifier: Apache-2.0
"""_contrib_BilinearResize2D against MXNet 1.9.1: every mode, align_corners on and off,
up- and downsampling, scales, the same-size copy and the like input."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

B = "out = mx.sym.contrib.BilinearResize2D(data, {})"
CASES = [
    case("bilinear_size_up", B.format("height=9, width=13"), data=(2, 3, 4, 5)),
    case(
        "bilinear_size_up_no_align",
        B.format("height=9, width=13, align_corners=False"),
        data=(2, 3, 4, 5),
    ),
    case("bilinear_size_down", B.format("height=3, width=2"), data=(1, 2, 7, 6)),
    case(
        "bilinear_size_down_no_align",
        B.format("height=3, width=4, align_corners=False"),
        data=(1, 2, 7, 9),
    ),
    case("bilinear_to_one", B.format("height=1, width=1"), data=(1, 2, 5, 4)),
    case("bilinear_from_one", B.format("height=4, width=3"), data=(1, 2, 1, 1)),
    case("bilinear_same_size", B.format("height=5, width=4"), data=(2, 3, 5, 4)),
    case("bilinear_scale", B.format("scale_height=2.0, scale_width=1.5"), data=(1, 2, 5, 6)),
    case(
        "bilinear_scale_fraction",
        B.format("scale_height=0.5, scale_width=0.7, align_corners=False"),
        data=(1, 2, 9, 10),
    ),
    case(
        "bilinear_scale_height_only_reads_width_scale",
        B.format("height=3, width=3, scale_height=2.0, scale_width=3.0"),
        data=(1, 1, 3, 2),
    ),
    case(
        "bilinear_odd_scale",
        B.format("mode='odd_scale', scale_height=2.0, scale_width=0.5"),
        data=(1, 2, 5, 8),
    ),
    case("bilinear_to_even_down", B.format("mode='to_even_down'"), data=(1, 2, 5, 6)),
    case("bilinear_to_even_up", B.format("mode='to_even_up'"), data=(1, 2, 5, 6)),
    case("bilinear_to_odd_down", B.format("mode='to_odd_down'"), data=(1, 2, 5, 6)),
    case(
        "bilinear_to_odd_up", B.format("mode='to_odd_up', align_corners=False"), data=(1, 2, 5, 6)
    ),
    case(
        "bilinear_like",
        "out = mx.sym.contrib.BilinearResize2D(data, ref, mode='like')",
        data=(2, 3, 4, 4),
        ref=(2, 5, 10, 7),
    ),
    case(
        "bilinear_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.contrib.BilinearResize2D(c, height=16, width=16)",
        data=(1, 3, 8, 8),
        rtol=1e-4,
    ),
    case(
        "bilinear_between_convs",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "r = mx.sym.contrib.BilinearResize2D(c, height=11, width=7, align_corners=False)\n"
        "out = mx.sym.Convolution(r, kernel=(1, 1), num_filter=4)",
        data=(2, 3, 6, 5),
        rtol=1e-4,
    ),
]

test_bilinear_resize = oracle_test(CASES)


def test_bilinear_resize_rejects_3d_input(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_BilinearResize2D node 'n'.*4-D"
    ):
        one_node(tmp_path, "_contrib_BilinearResize2D", {"height": "3"}, {"data": (2, 3, 4)})


def test_bilinear_resize_rejects_unknown_mode(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_contrib_BilinearResize2D node 'n'"):
        one_node(tmp_path, "_contrib_BilinearResize2D", {"mode": "area"}, {"data": (1, 1, 4, 4)})


def test_bilinear_resize_rejects_odd_scale_without_scales(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_BilinearResize2D node 'n'.*odd_scale needs"
    ):
        one_node(
            tmp_path, "_contrib_BilinearResize2D", {"mode": "odd_scale"}, {"data": (1, 1, 4, 4)}
        )


def test_bilinear_resize_rejects_empty_output(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_contrib_BilinearResize2D node 'n'.*is empty"
    ):
        one_node(
            tmp_path, "_contrib_BilinearResize2D", {"mode": "to_even_down"}, {"data": (1, 1, 1, 4)}
        )


def test_bilinear_resize_ignores_like_values(tmp_path):
    p = one_node(
        tmp_path,
        "_contrib_BilinearResize2D",
        {"mode": "like"},
        {"data": (1, 1, 2, 2), "like": (1, 1, 3, 3)},
    )
    x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]], np.float32)
    (y,) = p(data=x, like=np.full((1, 1, 3, 3), np.nan, np.float32))
    want = np.array([[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]], np.float32)
    np.testing.assert_allclose(y[0, 0], want)


def test_bilinear_resize_channels_last_between_convolutions():
    # Between two convolutions the planner keeps the activations channels-last.
    d = run_cases(CASES) / "bilinear_between_convs"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (2, 3, 6, 5)}
    )
    assert "ref:bilinear_resize_nhwc" in dict(p.info()["kernels"]).values()
