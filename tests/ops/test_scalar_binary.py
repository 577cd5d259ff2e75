# SPDX-License-Identifier: Apache-2.0
"""Tensor-scalar ops against MXNet 1.9.1 (_plus_scalar...) and 2.0.0b1 (_npi_*_scalar): every
function and its reversed form, integer tensors with integer and float scalars (float64 output),
comparisons."""

import pytest
from ops._harness import one_node
from oracle.cases import case as mk
from oracle.cases import oracle_test

import mxserve

S = (3, 7)
CASES = [
    mk("plus_scalar", "out = x + 0.3", x=S),
    mk("plus_scalar_int_attr", "out = mx.sym._internal._plus_scalar(x, scalar=2)", x=S),
    mk("minus_scalar", "out = x - 1.7", x=S),
    mk("rminus_scalar", "out = 1.7 - x", x=S),
    mk("mul_scalar", "out = x * -2.5", x=S),
    mk("div_scalar", "out = x / 3.0", x=S),
    mk("rdiv_scalar", "out = 3.0 / x", low=0.5, high=2.0, x=S),
    mk("power_scalar", "out = x ** 2.0", x=S),
    mk("power_scalar_frac", "out = x ** 0.5", low=0.1, high=2.0, x=S),
    mk("rpower_scalar", "out = 2.0 ** x", x=S),
    mk("maximum_scalar", "out = mx.sym.maximum(x, 0.25)", x=S),
    mk("minimum_scalar", "out = mx.sym.minimum(x, -0.25)", x=S),
    mk("equal_scalar", "out = x == 1", dtype="int32", low=-2, high=2, x=S),
    mk("not_equal_scalar", "out = x != 0", dtype="int32", low=-2, high=2, x=S),
    mk("greater_scalar", "out = x > 0.1", x=S),
    mk("greater_equal_scalar", "out = x >= 0", dtype="int32", low=-2, high=2, x=S),
    mk("lesser_scalar", "out = x < -0.2", x=S),
    mk("lesser_equal_scalar", "out = x <= 0.5", x=S),
    mk("plus_scalar_int32", "out = x + 3", dtype="int32", low=-9, high=9, x=S),
    mk("mul_scalar_int64", "out = x * 7", dtype="int64", low=-9, high=9, x=S),
    mk("div_scalar_int32", "out = x / 2", dtype="int32", low=-9, high=9, x=S),
    mk(
        "plus_float_scalar_int32_gives_float64", "out = x + 0.5", dtype="int32", low=-9, high=9, x=S
    ),
    mk("mul_scalar_float64", "out = x * 0.1", dtype="float64", x=S),
    mk("rminus_scalar_1d", "out = 4 - x", x=(1,)),
    mk(
        "logical_and_scalar",
        "out = mx.sym._internal._logical_and_scalar(x, scalar=1)",
        dtype="int32",
        low=-1,
        high=1,
        x=S,
    ),
    mk(
        "logical_or_scalar",
        "out = mx.sym._internal._logical_or_scalar(mx.sym.round(x), scalar=0)",
        x=S,
    ),
    mk(
        "logical_xor_scalar",
        "out = mx.sym._internal._logical_xor_scalar(mx.sym.round(x), scalar=1)",
        x=S,
    ),
    mk("mod_scalar", "out = x % 0.7", low=-3.0, high=3.0, x=S),
    mk("mod_scalar_negative", "out = x % -0.7", low=-3.0, high=3.0, x=S),
    mk("rmod_scalar", "out = 1.3 % x", low=-3.0, high=3.0, x=S),
    mk("rmod_scalar_negative", "out = -1.3 % x", low=-3.0, high=3.0, x=S),
    mk("mod_scalar_int32", "out = x % 3", dtype="int32", low=-9, high=9, x=S),
    mk("mod_scalar_int32_negative", "out = x % -4", dtype="int32", low=-9, high=9, x=S),
    mk("rmod_scalar_int32", "out = 7 % x", dtype="int32", low=-9, high=9, x=S),
    mk("mod_scalar_zero", "out = x % 0", x=S),
    mk("mod_float_scalar_int32_gives_float64", "out = x % 2.5", dtype="int32", low=-9, high=9, x=S),
    mk("hypot_scalar", "out = mx.sym.hypot(x, 3.0)", low=-4.0, high=4.0, x=S),
    mk("hypot_scalar_alias", "out = mx.sym._internal._HypotScalar(x, scalar=0.5)", x=S),
    mk("smooth_l1_default", "out = mx.sym.smooth_l1(x)", low=-3.0, high=3.0, x=S),
    mk("smooth_l1_sigma", "out = mx.sym.smooth_l1(x, scalar=2.5)", low=-1.0, high=1.0, x=S),
    mk("smooth_l1_small_sigma", "out = mx.sym.smooth_l1(x, scalar=0.5)", low=-9.0, high=9.0, x=S),
    mk(
        "smooth_l1_float64",
        "out = mx.sym.smooth_l1(x, scalar=1.5)",
        dtype="float64",
        low=-2.0,
        high=2.0,
        x=S,
    ),
]

test_scalar_binary = oracle_test(CASES)

NP = "a = x.as_np_ndarray(); "
CASES2 = [
    mk("np_add_scalar", NP + "out = a + 2", x=S),
    mk("np_subtract_scalar", NP + "out = a - 0.5", x=S),
    mk("np_rsubtract_scalar", NP + "out = 2 - a", x=S),
    mk("np_multiply_scalar", NP + "out = a * 1.5", x=S),
    mk("np_true_divide_scalar", NP + "out = a / 4", x=S),
    mk("np_rtrue_divide_scalar", NP + "out = 2 / a", low=0.5, high=2.0, x=S),
    mk("np_true_divide_scalar_int32", NP + "out = a / 4", dtype="int32", low=-9, high=9, x=S),
    mk("np_power_scalar", NP + "out = a ** 3", x=S),
    mk("np_rpower_scalar", NP + "out = 2 ** a", x=S),
    mk("np_maximum_scalar", NP + "out = mx.sym.np.maximum(a, 0.5)", x=S),
    mk("np_equal_scalar", NP + "out = mx.sym.np.equal(a, 1)", dtype="int32", low=-2, high=2, x=S),
    mk("np_less_equal_scalar", NP + "out = mx.sym.np.less_equal(a, 0.25)", x=S),
    mk("np_less_scalar", NP + "out = mx.sym.np.less(a, -0.25)", x=S),
    mk("np_greater_equal_scalar", NP + "out = mx.sym.np.greater_equal(a, 0.1)", x=S),
    mk(
        "np_not_equal_scalar",
        NP + "out = mx.sym.np.not_equal(a, 1)",
        dtype="int32",
        low=-2,
        high=2,
        x=S,
    ),
    mk(
        "np_greater_scalar_int_vs_float",
        NP + "out = mx.sym.np.greater(a, 0.5)",
        dtype="int32",
        low=-2,
        high=2,
        x=S,
    ),
    mk("np_add_float_scalar_int64", NP + "out = a + 0.5", dtype="int64", low=-9, high=9, x=S),
    mk("np_hypot_scalar", NP + "out = mx.sym.np.hypot(a, 2.0)", x=S),
    mk("npx_smooth_l1", NP + "out = mx.sym.npx.smooth_l1(a, scalar=2.0)", x=S),
]

test_scalar_binary_np = oracle_test(CASES2, version="2.0.0b1")


def test_plus_scalar_rejects_bad_scalar(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="scalar"):
        one_node(tmp_path, "_plus_scalar", {"scalar": "abc"}, {"x": (2,)}, name="node")


def test_mul_scalar_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="axis"):
        one_node(tmp_path, "_mul_scalar", {"scalar": "2", "axis": "0"}, {"x": (2,)}, name="node")


def test_smooth_l1_rejects_bad_scalar(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"smooth_l1 node 'n'.*scalar"):
        one_node(tmp_path, "smooth_l1", {"scalar": "sigma"}, {"x": (2,)})


def test_mod_scalar_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_mod_scalar node 'n'.*axis"):
        one_node(tmp_path, "_mod_scalar", {"scalar": "2", "axis": "0"}, {"x": (2,)})
