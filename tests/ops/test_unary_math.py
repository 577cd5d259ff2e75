# SPDX-License-Identifier: Apache-2.0
"""Unary math ops against MXNet 1.9.1 and the 2.0.0b1 _npi_/_npx_ names: every function on
float32 (inputs kept inside each domain), integer inputs where MXNet keeps them exact, the
mixed-type 2.0 ops that turn integers into float32."""

import pytest
from ops._harness import one_node
from oracle.cases import case as mk
from oracle.cases import oracle_test

import mxserve

S = (3, 5, 7)
T = dict(rtol=1e-4, atol=1e-5)  # transcendental functions: libm vs MXNet's math may differ by ulps
CASES = [
    mk("relu", "out = mx.sym.relu(x)", x=S),
    mk("sigmoid", "out = mx.sym.sigmoid(x)", **T, x=S),
    mk("softsign", "out = mx.sym.softsign(x)", x=S),
    mk("negative", "out = mx.sym.negative(x)", x=S),
    mk("abs", "out = mx.sym.abs(x)", x=S),
    mk("sign", "out = mx.sym.sign(x)", x=S),
    mk("round", "out = mx.sym.round(x)", low=-3, high=3, x=S),
    mk("rint", "out = mx.sym.rint(x)", low=-3, high=3, x=S),
    mk("ceil", "out = mx.sym.ceil(x)", low=-3, high=3, x=S),
    mk("floor", "out = mx.sym.floor(x)", low=-3, high=3, x=S),
    mk("trunc", "out = mx.sym.trunc(x)", low=-3, high=3, x=S),
    mk("fix", "out = mx.sym.fix(x)", low=-3, high=3, x=S),
    mk("erf", "out = mx.sym.erf(x)", **T, x=S),
    mk("sin", "out = mx.sym.sin(x)", **T, x=S),
    mk("cos", "out = mx.sym.cos(x)", **T, x=S),
    mk("tan", "out = mx.sym.tan(x)", **T, x=S),
    mk("sinh", "out = mx.sym.sinh(x)", **T, x=S),
    mk("cosh", "out = mx.sym.cosh(x)", **T, x=S),
    mk("tanh", "out = mx.sym.tanh(x)", **T, x=S),
    mk("arcsin", "out = mx.sym.arcsin(x)", **T, low=-0.9, high=0.9, x=S),
    mk("arccos", "out = mx.sym.arccos(x)", **T, low=-0.9, high=0.9, x=S),
    mk("arctan", "out = mx.sym.arctan(x)", **T, x=S),
    mk("reciprocal", "out = mx.sym.reciprocal(x)", low=0.5, high=2.0, x=S),
    mk("square", "out = mx.sym.square(x)", x=S),
    mk("sqrt", "out = mx.sym.sqrt(x)", low=0.0, high=4.0, x=S),
    mk("rsqrt", "out = mx.sym.rsqrt(x)", **T, low=0.1, high=4.0, x=S),
    mk("cbrt", "out = mx.sym.cbrt(x)", **T, low=-4.0, high=4.0, x=S),
    mk("exp", "out = mx.sym.exp(x)", **T, low=-5.0, high=5.0, x=S),
    mk("log", "out = mx.sym.log(x)", **T, low=0.01, high=10.0, x=S),
    mk("log10", "out = mx.sym.log10(x)", **T, low=0.01, high=10.0, x=S),
    mk("log2", "out = mx.sym.log2(x)", **T, low=0.01, high=10.0, x=S),
    mk("log1p", "out = mx.sym.log1p(x)", **T, low=-0.5, high=3.0, x=S),
    mk("expm1", "out = mx.sym.expm1(x)", **T, x=S),
    mk("abs_int32", "out = mx.sym.abs(x)", dtype="int32", low=-9, high=9, x=S),
    mk("negative_int64", "out = mx.sym.negative(x)", dtype="int64", low=-9, high=9, x=S),
    mk("sign_int32", "out = mx.sym.sign(x)", dtype="int32", low=-3, high=3, x=S),
    mk("square_int32", "out = mx.sym.square(x)", dtype="int32", low=-9, high=9, x=S),
    mk("relu_float64", "out = mx.sym.relu(x)", dtype="float64", x=S),
    mk("exp_float64", "out = mx.sym.exp(x)", dtype="float64", x=S),
    mk("sqrt_odd_size", "out = mx.sym.sqrt(x)", low=0.0, high=9.0, x=(1, 1, 13)),
    mk("chain_inplace", "out = mx.sym.exp(mx.sym.tanh(mx.sym.abs(x)))", **T, x=S),
    mk("arcsinh", "out = mx.sym.arcsinh(x)", **T, low=-4.0, high=4.0, x=S),
    mk("arccosh", "out = mx.sym.arccosh(x)", **T, low=1.0, high=5.0, x=S),
    mk("arctanh", "out = mx.sym.arctanh(x)", **T, low=-0.95, high=0.95, x=S),
    mk("degrees", "out = mx.sym.degrees(x)", low=-7.0, high=7.0, x=S),
    mk("radians", "out = mx.sym.radians(x)", low=-400.0, high=400.0, x=S),
    mk("degrees_float64", "out = mx.sym.degrees(x)", dtype="float64", low=-7.0, high=7.0, x=S),
    mk("degrees_int32", "out = mx.sym.degrees(x)", dtype="int32", low=-9, high=9, x=S),
    mk("gamma", "out = mx.sym.gamma(x)", **T, low=0.1, high=5.0, x=S),
    mk("gamma_negative", "out = mx.sym.gamma(x)", **T, low=-2.9, high=-2.1, x=S),
    mk("gammaln", "out = mx.sym.gammaln(x)", **T, low=0.1, high=20.0, x=S),
    mk("gammaln_negative", "out = mx.sym.gammaln(x)", **T, low=-3.9, high=-3.1, x=S),
    mk("logical_not", "out = mx.sym.logical_not(mx.sym.round(x))", low=-2.0, high=2.0, x=S),
    mk("logical_not_int32", "out = mx.sym.logical_not(x)", dtype="int32", low=-2, high=2, x=S),
]

test_unary_math = oracle_test(CASES)

NP = "a = x.as_np_ndarray(); "
CASES2 = [
    mk("npx_relu", NP + "out = mx.sym.npx.relu(a)", x=S),
    mk("npx_sigmoid", NP + "out = mx.sym.npx.sigmoid(a)", **T, x=S),
    mk("np_exp", NP + "out = mx.sym.np.exp(a)", **T, x=S),
    mk("np_log", NP + "out = mx.sym.np.log(a)", **T, low=0.01, high=10.0, x=S),
    mk("np_sqrt", NP + "out = mx.sym.np.sqrt(a)", low=0.0, high=4.0, x=S),
    mk("np_square", NP + "out = mx.sym.np.square(a)", x=S),
    mk("np_tanh", NP + "out = mx.sym.np.tanh(a)", **T, x=S),
    mk("np_abs", NP + "out = mx.sym.np.abs(a)", x=S),
    mk("np_negative", NP + "out = mx.sym.np.negative(a)", x=S),
    mk("np_sign", NP + "out = mx.sym.np.sign(a)", x=S),
    mk("np_reciprocal", NP + "out = mx.sym.np.reciprocal(a)", low=0.5, high=2.0, x=S),
    mk("np_floor", NP + "out = mx.sym.np.floor(a)", low=-3, high=3, x=S),
    mk("np_ceil", NP + "out = mx.sym.np.ceil(a)", low=-3, high=3, x=S),
    mk("np_sin", NP + "out = mx.sym.np.sin(a)", **T, x=S),
    mk("np_log1p", NP + "out = mx.sym.np.log1p(a)", **T, low=-0.5, high=3.0, x=S),
    mk("np_expm1", NP + "out = mx.sym.np.expm1(a)", **T, x=S),
    mk("npx_erf", NP + "out = mx.sym.npx.erf(a)", **T, x=S),
    mk(
        "np_exp_int32_gives_float32",
        NP + "out = mx.sym.np.exp(a)",
        **T,
        dtype="int32",
        low=-3,
        high=3,
        x=S,
    ),
    mk("np_sqrt_int64", NP + "out = mx.sym.np.sqrt(a)", **T, dtype="int64", low=0, high=9, x=S),
    mk("np_arcsin", NP + "out = mx.sym.np.arcsin(a)", **T, low=-0.9, high=0.9, x=S),
    mk("np_arccos", NP + "out = mx.sym.np.arccos(a)", **T, low=-0.9, high=0.9, x=S),
    mk("np_arctan", NP + "out = mx.sym.np.arctan(a)", **T, x=S),
    mk("np_cos", NP + "out = mx.sym.np.cos(a)", **T, x=S),
    mk("np_tan", NP + "out = mx.sym.np.tan(a)", **T, x=S),
    mk("np_sinh", NP + "out = mx.sym.np.sinh(a)", **T, x=S),
    mk("np_cosh", NP + "out = mx.sym.np.cosh(a)", **T, x=S),
    mk("np_cbrt", NP + "out = mx.sym.np.cbrt(a)", **T, low=-4.0, high=4.0, x=S),
    mk("np_log10", NP + "out = mx.sym.np.log10(a)", **T, low=0.01, high=10.0, x=S),
    mk("np_log2", NP + "out = mx.sym.np.log2(a)", **T, low=0.01, high=10.0, x=S),
    mk("np_rint", NP + "out = mx.sym.np.rint(a)", low=-3, high=3, x=S),
    mk("np_fix", NP + "out = mx.sym.np.fix(a)", low=-3, high=3, x=S),
    mk("np_trunc", NP + "out = mx.sym.np.trunc(a)", low=-3, high=3, x=S),
    mk("np_arcsinh", NP + "out = mx.sym.np.arcsinh(a)", **T, low=-4.0, high=4.0, x=S),
    mk("np_arccosh", NP + "out = mx.sym.np.arccosh(a)", **T, low=1.0, high=5.0, x=S),
    mk("np_arctanh", NP + "out = mx.sym.np.arctanh(a)", **T, low=-0.95, high=0.95, x=S),
    mk("np_degrees", NP + "out = mx.sym.np.degrees(a)", low=-7.0, high=7.0, x=S),
    mk("np_radians", NP + "out = mx.sym.np.radians(a)", low=-400.0, high=400.0, x=S),
    mk(
        "np_degrees_int32_gives_float32",
        NP + "out = mx.sym.np.degrees(a)",
        dtype="int32",
        low=-9,
        high=9,
        x=S,
    ),
    mk(
        "np_logical_not",
        NP + "out = mx.sym.np.logical_not(mx.sym.np.floor(a))",
        low=-2,
        high=2,
        x=S,
    ),
    mk(
        "np_logical_not_int32",
        NP + "out = mx.sym.np.logical_not(a)",
        dtype="int32",
        low=-2,
        high=2,
        x=S,
    ),
    mk(
        "np_logical_not_bool",
        NP + "out = mx.sym.np.logical_not(mx.sym.np.logical_not(a))",
        dtype="int32",
        low=-2,
        high=2,
        x=S,
    ),
    mk("npx_gamma", NP + "out = mx.sym.npx.gamma(a)", **T, low=0.1, high=5.0, x=S),
    mk("npx_gammaln", NP + "out = mx.sym.npx.gammaln(a)", **T, low=0.1, high=20.0, x=S),
    mk("log_sigmoid", "out = mx.sym.log_sigmoid(x)", **T, low=-10.0, high=10.0, x=S),
    mk("mish", "out = mx.sym.mish(x)", **T, low=-30.0, high=30.0, x=S),
]

test_unary_math_np = oracle_test(CASES2, version="2.0.0b1")


def test_exp_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match="axis"):
        one_node(tmp_path, "exp", {"axis": "1"}, {"x": (2,)}, name="node")


def test_exp_rejects_bool_input(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"exp node 'node'.*bool"):
        one_node(tmp_path, "exp", {}, {"x": (2,)}, dtypes={"x": "bool"}, name="node")


def test_gamma_rejects_bool_input(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"gamma node 'n'.*bool"):
        one_node(tmp_path, "gamma", {}, {"x": (2,)}, dtypes={"x": "bool"})


def test_logical_not_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"logical_not node 'n'.*axis"):
        one_node(tmp_path, "logical_not", {"axis": "0"}, {"x": (2,)})
