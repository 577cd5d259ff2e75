# SPDX-License-Identifier: Apache-2.0
"""Convolution against MXNet 1.9.1: 1-D/2-D/3-D, padding, strides, dilation, groups, no_bias."""

import numpy as np
import pytest
from oracle.cases import case, oracle_test

import mxserve

CASES = [
    case(
        "conv2d_basic",
        "out = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4)",
        data=(1, 3, 8, 8),
    ),
    case(
        "conv2d_pad_stride",
        "out = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), stride=(2, 2), num_filter=6)",
        data=(2, 3, 9, 9),
    ),
    case(
        "conv2d_odd_sizes",
        "out = mx.sym.Convolution(data, kernel=(5, 3), pad=(2, 0), stride=(3, 2), num_filter=5)",
        data=(1, 7, 13, 11),
    ),
    case(
        "conv2d_dilate",
        "out = mx.sym.Convolution(data, kernel=(3, 3), dilate=(2, 3), pad=(2, 3), num_filter=4)",
        data=(1, 4, 12, 12),
    ),
    case(
        "conv2d_groups",
        "out = mx.sym.Convolution(data, kernel=(3, 3), num_group=4, num_filter=8, pad=(1, 1))",
        data=(2, 8, 7, 7),
    ),
    case(
        "conv2d_depthwise",
        "out = mx.sym.Convolution(data, kernel=(3, 3), num_group=16, num_filter=16, pad=(1, 1), stride=(2, 2))",
        data=(1, 16, 10, 10),
    ),
    case(
        "conv2d_no_bias",
        "out = mx.sym.Convolution(data, kernel=(1, 1), num_filter=8, no_bias=True)",
        data=(3, 5, 4, 4),
    ),
    case(
        "conv1d",
        "out = mx.sym.Convolution(data, kernel=(3,), pad=(1,), stride=(2,), num_filter=4)",
        data=(2, 3, 11),
    ),
    case(
        "conv3d",
        "out = mx.sym.Convolution(data, kernel=(2, 3, 3), pad=(1, 1, 1), num_filter=4)",
        data=(1, 2, 5, 6, 6),
    ),
    case(
        "conv2d_resnet_stem",
        "out = mx.sym.Convolution(data, kernel=(7, 7), pad=(3, 3), stride=(2, 2), num_filter=16, no_bias=True)",
        data=(1, 3, 32, 32),
        rtol=1e-4,
        atol=1e-4,
    ),
]

test_convolution = oracle_test(CASES)


def test_convolution_rejects_wrong_weight_shape(tmp_path):
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "Convolution",
                "name": "conv",
                "attrs": {"kernel": "(3, 3)", "num_filter": "4", "no_bias": "True"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0]],
    }
    import json

    params = tmp_path / "p.params"
    mxserve.nd.save(params, {"arg:w": np.zeros((4, 3, 5, 5), np.float32)})
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"Convolution node 'conv'.*weight has shape \(4, 3, 5, 5\)",
    ):
        mxserve.Predictor(json.dumps(sym), params, input_shapes={"data": (1, 3, 8, 8)})
