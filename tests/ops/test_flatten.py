# SPDX-License-Identifier: Apache-2.0
"""Flatten (flatten, _npx_batch_flatten) against MXNet 1.9.1 and 2.0.0b1. Flatten aliases its
input, so the cases place it after a real operator, before one, and on graph inputs and outputs."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

CASES = [
    case("flatten_4d", "out = mx.sym.Flatten(data)", data=(2, 3, 4, 5)),
    case("flatten_1d", "out = mx.sym.flatten(data)", data=(7,)),
    case("flatten_2d", "out = mx.sym.Flatten(data)", data=(3, 4)),
    case(
        "flatten_act_fc",
        "h = mx.sym.Activation(data, act_type='relu')\n"
        "out = mx.sym.FullyConnected(mx.sym.Flatten(h), num_hidden=5)",
        data=(2, 3, 3, 3),
    ),
    case(
        "flatten_conv_output",
        "c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4)\n"
        "out = mx.sym.Group([c, mx.sym.Flatten(c)])",
        data=(1, 2, 5, 5),
    ),
    case("flatten_twice", "out = mx.sym.Flatten(mx.sym.Flatten(data))", data=(2, 1, 3)),
]

test_flatten = oracle_test(CASES)

CASES2 = [
    case(
        "npx_batch_flatten", "out = mx.sym.npx.batch_flatten(data.as_np_ndarray())", data=(3, 2, 2)
    ),
]

test_flatten_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_flatten_rejects_scalar(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Flatten node 'f'.*at least one axis"):
        one_node(tmp_path, "Flatten", None, {"data": ()}, name="f")
