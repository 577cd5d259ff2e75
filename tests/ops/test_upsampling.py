# SPDX-License-Identifier: Apache-2.0
"""UpSampling against MXNet 1.9.1: nearest with one or several inputs (concat and sum, inputs of
different sizes), bilinear (a grouped deconvolution with a weight input) for even and odd
scales."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test, run_cases

import mxserve

CASES = [
    case(
        "upsampling_nearest_2",
        "out = mx.sym.UpSampling(data, scale=2, sample_type='nearest')",
        data=(2, 3, 4, 5),
    ),
    case(
        "upsampling_nearest_3",
        "out = mx.sym.UpSampling(data, scale=3, sample_type='nearest')",
        data=(1, 2, 3, 2),
    ),
    case(
        "upsampling_nearest_scale_1",
        "out = mx.sym.UpSampling(data, scale=1, sample_type='nearest')",
        data=(1, 2, 3, 3),
    ),
    case(
        "upsampling_nearest_concat",
        "out = mx.sym.UpSampling(data, ref, scale=2, sample_type='nearest', num_args=2)",
        data=(2, 3, 4, 4),
        ref=(2, 2, 2, 2),
    ),
    case(
        "upsampling_nearest_sum",
        "out = mx.sym.UpSampling(data, ref, other, scale=2, sample_type='nearest', num_args=3, "
        "multi_input_mode='sum')",
        data=(1, 3, 2, 3),
        ref=(1, 3, 4, 6),
        other=(1, 3, 2, 3),
    ),
    case(
        "upsampling_bilinear_2",
        "out = mx.sym.UpSampling(data, scale=2, sample_type='bilinear', num_filter=3, num_args=2)",
        data=(2, 3, 5, 4),
    ),
    case(
        "upsampling_bilinear_3",
        "out = mx.sym.UpSampling(data, scale=3, sample_type='bilinear', num_filter=4, num_args=2)",
        data=(1, 4, 3, 3),
    ),
    case(
        "upsampling_bilinear_4_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.UpSampling(c, scale=4, sample_type='bilinear', num_filter=8, num_args=2)",
        data=(1, 3, 4, 4),
        rtol=1e-4,
    ),
    case(
        "upsampling_nearest_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.UpSampling(c, scale=2, sample_type='nearest'), "
        "kernel=(1, 1), num_filter=4)",
        data=(1, 3, 4, 4),
        rtol=1e-4,
    ),
    case(
        "upsampling_nearest_mixed_layouts",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4)\n"
        "u = mx.sym.UpSampling(c, ref, scale=2, sample_type='nearest', num_args=2)\n"
        "out = mx.sym.Convolution(u, kernel=(1, 1), num_filter=3)",
        data=(2, 3, 4, 3),
        ref=(2, 2, 8, 6),
        rtol=1e-4,
    ),
]

test_upsampling = oracle_test(CASES)


def test_upsampling_rejects_uneven_inputs(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"UpSampling node 'n'.*whole factor"):
        one_node(
            tmp_path,
            "UpSampling",
            {"scale": "2", "sample_type": "nearest", "num_args": "2"},
            {"arg0": (1, 2, 4, 4), "arg1": (1, 2, 3, 3)},
        )


def test_upsampling_rejects_sum_channel_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"UpSampling node 'n'.*same channels"):
        one_node(
            tmp_path,
            "UpSampling",
            {"scale": "2", "num_args": "2", "multi_input_mode": "sum"},
            {"arg0": (1, 2, 4, 4), "arg1": (1, 3, 4, 4)},
        )


def test_upsampling_rejects_bilinear_num_filter(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"UpSampling node 'n'.*num_filter 2"):
        one_node(
            tmp_path,
            "UpSampling",
            {"scale": "2", "sample_type": "bilinear", "num_filter": "2", "num_args": "2"},
            {"data": (1, 3, 4, 4)},
            params={"weight": np.ones((3, 1, 4, 4), np.float32)},
        )


def test_upsampling_nearest_channels_last_between_convolutions():
    # A channels-last convolution output and a row-major graph input in one node.
    d = run_cases(CASES) / "upsampling_nearest_mixed_layouts"
    shapes = {"data": (2, 3, 4, 3), "ref": (2, 2, 8, 6)}
    p = mxserve.Predictor(d / "symbol.json", d / "model.params", input_shapes=shapes)
    assert "ref:upsampling_nearest_strided" in dict(p.info()["kernels"]).values()
