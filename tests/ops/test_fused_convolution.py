# SPDX-License-Identifier: Apache-2.0
"""_sg_mkldnn_conv against MXNet 1.9.1, quantized (BatchNorm and relu, int8 output with stride 2
and no bias, depthwise with relu6, residual sum with post-sum relu) and float32 as MXNet leaves
excluded layers (the same forms); load-time errors."""

import json

import numpy as np
import pytest
from ops._quantized_cases import CONV_CASES, FLOAT_CONV_CASES
from oracle.cases import oracle_test

import mxserve

test_fused_convolution = oracle_test(CONV_CASES)
test_float_fused_convolution = oracle_test(FLOAT_CONV_CASES)


def test_float_subgraph_conv_rejects_computed_batchnorm(tmp_path):
    # A float32 node folds its BatchNorm at bind time: the statistics must be parameters.
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
            {"op": "null", "name": "g", "inputs": []},
            {"op": "null", "name": "b", "inputs": []},
            {"op": "null", "name": "m", "inputs": []},
            {"op": "null", "name": "v", "inputs": []},
            {
                "op": "BatchNorm",
                "name": "bn",
                "inputs": [[2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0], [6, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1, 3, 4, 5, 6],
        "heads": [[7, 0, 0]],
    }
    nodes = [{"op": "null", "name": n, "inputs": []} for n in ("data", "w", "g", "b", "m", "v")]
    nodes.append(
        {
            "op": "_sg_mkldnn_conv",
            "name": "sg",
            "attrs": {"with_bn": "true"},
            "inputs": [[k, 0, 0] for k in range(6)],
            "subgraphs": [sub],
        }
    )
    sym = {"nodes": nodes, "arg_nodes": list(range(6)), "heads": [[6, 0, 0]]}
    path = tmp_path / "w.params"
    ones = np.ones(2, np.float32)
    mxserve.nd.save(
        path,
        {"arg:w": np.ones((2, 3, 1, 1), np.float32), "arg:g": ones, "arg:b": ones, "arg:v": ones},
    )
    # 'm' (input 4) is not a parameter: the caller feeds it, so it is not known at bind time.
    with pytest.raises(mxserve.errors.UnsupportedError, match="_sg_mkldnn_conv node 'sg'.*input 4"):
        mxserve.Predictor(json.dumps(sym), path, input_shapes={"data": (1, 3, 4, 4), "m": (2,)})


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
