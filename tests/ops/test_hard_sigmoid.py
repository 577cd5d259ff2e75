# SPDX-License-Identifier: Apache-2.0
"""hard_sigmoid against MXNet 1.9.1: defaults, custom slope and offset, both clamps, after a
convolution (channels-last activations)."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

CASES = [
    case("hard_sigmoid_default", "out = mx.sym.hard_sigmoid(data)", data=(3, 4), low=-4, high=4),
    case(
        "hard_sigmoid_alpha_beta",
        "out = mx.sym.hard_sigmoid(data, alpha=0.5, beta=0.25)",
        data=(2, 3, 5),
        low=-3,
        high=3,
    ),
    case(
        "hard_sigmoid_negative_alpha",
        "out = mx.sym.hard_sigmoid(data, alpha=-1.0, beta=0.0)",
        data=(7,),
        low=-2,
        high=2,
    ),
    case(
        "hard_sigmoid_after_conv",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8)\n"
        "out = mx.sym.Convolution(mx.sym.hard_sigmoid(c), kernel=(1, 1), num_filter=4)",
        data=(1, 3, 6, 6),
        rtol=1e-4,
    ),
]

test_hard_sigmoid = oracle_test(CASES)


def test_hard_sigmoid_rejects_unknown_attr(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"hard_sigmoid node 'n'.*gamma"):
        one_node(tmp_path, "hard_sigmoid", {"gamma": "1"}, {"data": (2, 3)})


def test_hard_sigmoid_rejects_int_data(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"hard_sigmoid node 'n'.*int32"):
        one_node(tmp_path, "hard_sigmoid", {}, {"data": (2, 3)}, dtypes={"data": "int32"})
