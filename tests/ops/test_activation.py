# SPDX-License-Identifier: Apache-2.0
"""Activation against MXNet 1.9.1: every act_type, odd sizes."""

import json

import pytest
from oracle.cases import Case, case, oracle_test

import mxserve

CASES = [
    Case(
        name=f"act_{t}",
        code=f"out = mx.sym.Activation(data, act_type='{t}')",
        inputs={"data": (2, 3, 5, 7)},
        low=-3.0,
        high=3.0,
        rtol=1e-5,
        atol=1e-6,
    )
    for t in ("relu", "sigmoid", "tanh", "softrelu", "softsign")
] + [case("act_relu_2d_odd", "out = mx.sym.Activation(data, act_type='relu')", data=(7, 13))]

# log_sigmoid and mish arrived in MXNet 2.0.
CASES2 = [
    Case(
        name=f"act2_{t}",
        code=f"out = mx.sym.Activation(data, act_type='{t}')",
        inputs={"data": (2, 3, 5, 7)},
        low=-3.0,
        high=3.0,
        rtol=1e-5,
        atol=1e-6,
    )
    for t in ("log_sigmoid", "mish")
]

test_activation = oracle_test(CASES)
test_activation_mxnet2 = oracle_test(CASES2, version="2.0.0b1")


def test_activation_rejects_unknown_act_type():
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {
                "op": "Activation",
                "name": "act",
                "attrs": {"act_type": "swishy"},
                "inputs": [[0, 0, 0]],
            },
        ],
        "heads": [[1, 0, 0]],
    }
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"Activation node 'act'.*'swishy' is not one of"
    ):
        mxserve.Predictor(json.dumps(sym), None, input_shapes={"data": (2, 3)})


def test_activation_rejects_unknown_attribute():
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {
                "op": "Activation",
                "name": "act",
                "attrs": {"act_type": "relu", "alpha": "2"},
                "inputs": [[0, 0, 0]],
            },
        ],
        "heads": [[1, 0, 0]],
    }
    with pytest.raises(mxserve.InvalidArgumentError, match="unknown attribute 'alpha'"):
        mxserve.Predictor(json.dumps(sym), None, input_shapes={"data": (2, 3)})
