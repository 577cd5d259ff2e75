# SPDX-License-Identifier: Apache-2.0
"""FullyConnected against MXNet 1.9.1: flatten on and off, no_bias, 1-D to 4-D data."""

import json

import numpy as np
import pytest
from oracle.cases import case, oracle_test

import mxserve

CASES = [
    case("fc_2d", "out = mx.sym.FullyConnected(data, num_hidden=7)", data=(3, 11)),
    case(
        "fc_4d_flatten",
        "out = mx.sym.FullyConnected(data, num_hidden=5)",
        data=(2, 3, 4, 5),
        rtol=1e-5,
        atol=1e-5,
    ),
    case(
        "fc_no_bias", "out = mx.sym.FullyConnected(data, num_hidden=4, no_bias=True)", data=(1, 9)
    ),
    case(
        "fc_no_flatten_3d",
        "out = mx.sym.FullyConnected(data, num_hidden=6, flatten=False)",
        data=(2, 5, 8),
    ),
    case(
        "fc_no_flatten_4d",
        "out = mx.sym.FullyConnected(data, num_hidden=3, flatten=False, no_bias=True)",
        data=(2, 3, 4, 5),
    ),
    case(
        "fc_batch_1_large",
        "out = mx.sym.FullyConnected(data, num_hidden=100)",
        data=(1, 300),
        rtol=1e-5,
        atol=1e-5,
    ),
]

test_fully_connected = oracle_test(CASES)


def test_fully_connected_rejects_wrong_weight_shape(tmp_path):
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "FullyConnected",
                "name": "fc",
                "attrs": {"num_hidden": "4", "no_bias": "True"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
            },
        ],
        "heads": [[2, 0, 0]],
    }
    params = tmp_path / "p.params"
    mxserve.nd.save(params, {"arg:w": np.zeros((4, 7), np.float32)})
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"FullyConnected node 'fc'.*weight has shape \(4, 7\), expected \(4, 6\)",
    ):
        mxserve.Predictor(json.dumps(sym), params, input_shapes={"data": (2, 6)})


def test_fully_connected_rejects_zero_hidden():
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {
                "op": "FullyConnected",
                "name": "fc",
                "attrs": {"num_hidden": "0"},
                "inputs": [[0, 0, 0]],
            },
        ],
        "heads": [[1, 0, 0]],
    }
    with pytest.raises(mxserve.InvalidArgumentError, match="num_hidden must be positive"):
        mxserve.Predictor(json.dumps(sym), None, input_shapes={"data": (2, 6)})
