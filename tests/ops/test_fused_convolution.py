# SPDX-License-Identifier: Apache-2.0
"""Quantized _sg_mkldnn_conv against MXNet 1.9.1: BatchNorm and relu, int8 output with stride 2
and no bias, depthwise with relu6, residual sum with post-sum relu; load-time errors."""

import json

import numpy as np
import pytest
from ops._quantized_cases import CONV_CASES
from oracle.cases import oracle_test

import mxserve

test_fused_convolution = oracle_test(CONV_CASES)


def test_quantized_rejects_float32_subgraph_conv(tmp_path):
    sub = {
        "nodes": [
            {"op": "null", "name": "d", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "Convolution",
                "name": "c",
                "attrs": {"kernel": "(1, 1)", "num_filter": "2", "no_bias": "True"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0]],
    }
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "_sg_mkldnn_conv",
                "name": "sg",
                "inputs": [[0, 0, 0], [1, 0, 0]],
                "subgraphs": [sub],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0]],
    }
    path = tmp_path / "w.params"
    mxserve.nd.save(path, {"arg:w": np.ones((2, 3, 1, 1), np.float32)})
    with pytest.raises(mxserve.errors.UnsupportedError, match="_sg_mkldnn_conv node 'sg'.*float32"):
        mxserve.Predictor(json.dumps(sym), path, input_shapes={"data": (1, 3, 4, 4)})


def test_quantized_rejects_subgraph_mismatch(tmp_path):
    sub = {
        "nodes": [
            {"op": "null", "name": "d", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "Convolution",
                "name": "c",
                "attrs": {"kernel": "(1, 1)", "num_filter": "2", "no_bias": "True"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0]],
    }
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {
                "op": "_sg_mkldnn_conv",
                "name": "sg",
                "attrs": {"with_bn": "true"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
                "subgraphs": [sub],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0]],
    }
    path = tmp_path / "w.params"
    mxserve.nd.save(path, {"arg:w": np.ones((2, 3, 1, 1), np.float32)})
    with pytest.raises(
        mxserve.InvalidArgumentError, match="sg.*with_bn does not match the subgraph"
    ):
        mxserve.Predictor(json.dumps(sym), path, input_shapes={"data": (1, 3, 4, 4)})
