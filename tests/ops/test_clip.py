# SPDX-License-Identifier: Apache-2.0
"""clip against MXNet 1.9.1 and 2.0.0b1: ReLU6, asymmetric and fractional bounds, a_min > a_max
(MXNet's test order decides), integer and float64 inputs."""

import pytest
from ops._harness import one_node
from oracle.cases import case as mk
from oracle.cases import oracle_test

import mxserve

CASES = [
    mk("relu6", "out = mx.sym.clip(x, 0, 6)", low=-3, high=9, x=(2, 8, 5, 5)),
    mk("fractional", "out = mx.sym.clip(x, a_min=-0.25, a_max=0.5)", x=(3, 7)),
    mk("inverted_bounds", "out = mx.sym.clip(x, a_min=0.5, a_max=-0.5)", x=(4, 5)),
    mk("int32", "out = mx.sym.clip(x, a_min=-2, a_max=3)", dtype="int32", low=-6, high=6, x=(4, 5)),
    mk(
        "int32_fractional_bounds",
        "out = mx.sym.clip(x, a_min=-2.5, a_max=3.5)",
        dtype="int32",
        low=-6,
        high=6,
        x=(4, 5),
    ),
    mk("float64", "out = mx.sym.clip(x, a_min=-0.3, a_max=0.3)", dtype="float64", x=(11,)),
]

test_clip = oracle_test(CASES)

CASES2 = [
    mk("np_clip", "out = mx.sym.np.clip(x.as_np_ndarray(), 0, 6)", low=-3, high=9, x=(2, 3, 4)),
]

test_clip_np = oracle_test(CASES2, version="2.0.0b1")


def test_clip_rejects_missing_bound(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="clip needs both a_min and a_max"):
        one_node(tmp_path, "clip", {"a_min": "0"}, {"x": (2,)}, name="node")


def test_clip_rejects_bad_bound(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="a_max"):
        one_node(tmp_path, "clip", {"a_min": "0", "a_max": "six"}, {"x": (2,)}, name="node")
