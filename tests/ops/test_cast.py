# SPDX-License-Identifier: Apache-2.0
"""Cast / amp_cast against MXNet 1.9.1 and 2.0.0b1: float <-> float16/float64, truncation of
floats into integers, integers into floats, bool, and the output dtype itself."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case as mk
from oracle.cases import oracle_test

import mxserve

S = (3, 11)
CASES = [
    mk("f32_to_f16", "out = mx.sym.Cast(x, dtype='float16')", rtol=1e-3, atol=1e-3, x=S),
    mk(
        "f32_to_f16_to_f32",
        "out = mx.sym.Cast(mx.sym.Cast(x, dtype='float16'), dtype='float32')",
        x=S,
    ),
    mk("f32_to_f64", "out = mx.sym.cast(x, dtype='float64')", x=S),
    mk("f64_to_f32", "out = mx.sym.Cast(x, dtype='float32')", dtype="float64", x=S),
    mk("f32_to_int32_truncates", "out = mx.sym.Cast(x, dtype='int32')", low=-20, high=20, x=S),
    mk("f32_to_int64", "out = mx.sym.Cast(x, dtype='int64')", low=-20, high=20, x=S),
    mk("f32_to_int8", "out = mx.sym.Cast(x, dtype='int8')", low=-100, high=100, x=S),
    mk("f32_to_uint8", "out = mx.sym.Cast(x, dtype='uint8')", low=0, high=250, x=S),
    mk("f32_to_bool", "out = mx.sym.Cast(x, dtype='bool')", low=-1, high=1, x=S),
    mk(
        "int32_to_f32",
        "out = mx.sym.Cast(x, dtype='float32')",
        dtype="int32",
        low=-99,
        high=99,
        x=S,
    ),
    mk(
        "int64_to_int32",
        "out = mx.sym.Cast(x, dtype='int32')",
        dtype="int64",
        low=-99,
        high=99,
        x=S,
    ),
    mk(
        "int32_to_f16",
        "out = mx.sym.Cast(x, dtype='float16')",
        dtype="int32",
        low=-99,
        high=99,
        x=S,
    ),
    mk(
        "uint8_to_f32", "out = mx.sym.Cast(x, dtype='float32')", dtype="uint8", low=0, high=255, x=S
    ),
    mk("f32_to_f32", "out = mx.sym.Cast(x, dtype='float32')", x=S),
    mk("amp_cast_f16", "out = mx.sym.amp_cast(x, dtype='float16')", rtol=1e-3, atol=1e-3, x=S),
    mk(
        "amp_cast_int_passthrough",
        "out = mx.sym.amp_cast(x, dtype='float16')",
        dtype="int32",
        low=-9,
        high=9,
        x=S,
    ),
]

test_cast = oracle_test(CASES)

CASES2 = [
    mk("np_astype_int32", "out = x.as_np_ndarray().astype('int32')", low=-20, high=20, x=S),
    mk("np_astype_f16", "out = x.as_np_ndarray().astype('float16')", rtol=1e-3, atol=1e-3, x=S),
]

test_cast_np = oracle_test(CASES2, version="2.0.0b1")


@pytest.mark.parametrize("dtype", ["int32", "float16", "int64", "bool", "float64"])
def test_cast_output_dtype(tmp_path, dtype):
    p = one_node(tmp_path, "Cast", {"dtype": dtype}, {"x": (2, 3)}, name="node")
    x = np.array([[-1.7, 0.0, 2.9], [3.5, -0.2, 7.0]], np.float32)
    (y,) = p(x=x)
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y, x.astype(dtype))


def test_cast_rejects_unknown_dtype(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="dtype 'float17' is not a known dtype"):
        one_node(tmp_path, "Cast", {"dtype": "float17"}, {"x": (2,)}, name="node")
