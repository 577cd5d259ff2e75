# SPDX-License-Identifier: Apache-2.0
"""MXNet 2.0 numpy element-wise ops against MXNet 2.0.0b1: floor_divide, fmod, hypot, copysign,
arctan2, fmax, fmin, ldexp, gcd, lcm, logical_* and bitwise_* (broadcasting, _scalar and
reversed _r*_scalar forms, float32 / int32 / int64 / bool), _npi_mod_scalar, _npi_rmod_scalar,
_npi_bitwise_not."""

import numpy as np
import pytest
from ops._harness import one_node, run_one_node
from oracle.cases import Case, case, oracle_test

import mxserve

AB = "a = lhs.as_np_ndarray()\nb = rhs.as_np_ndarray()\n"
A = "a = data.as_np_ndarray()\n"
NP = "mx.sym.np."
NI = "mx.symbol.numpy._internal."


def icase(name, code, dtype="int32", low=1, high=9, **inputs):
    """Integer inputs in [low, high] (no zero divisors)."""
    return Case(
        name=name,
        code=code,
        inputs={k: tuple(v) for k, v in inputs.items()},
        dtypes={k: dtype for k in inputs},
        low=low,
        high=high,
    )


BIN = {"lhs": (2, 3, 4), "rhs": (3, 1)}
CASES2 = [
    case("floor_divide", AB + "out = " + NI + "floor_divide(a, b)", lhs=(2, 3, 4), rhs=(3, 1)),
    icase("floor_divide_int", AB + "out = " + NI + "floor_divide(a - 5, b)", **BIN),
    icase(
        "floor_divide_int64", AB + "out = " + NI + "floor_divide(a - 5, b)", dtype="int64", **BIN
    ),
    case(
        "floor_divide_scalar",
        A + "out = " + NI + "floor_divide_scalar(a, scalar=0.3, is_int=False)",
        data=(3, 5),
    ),
    case(
        "rfloor_divide_scalar",
        A + "out = " + NI + "rfloor_divide_scalar(a + 1.5, scalar=2, is_int=True)",
        data=(3, 5),
    ),
    icase(
        "floor_divide_scalar_int",
        A + "out = " + NI + "floor_divide_scalar(a - 5, scalar=2, is_int=True)",
        data=(3, 5),
    ),
    icase(
        "floor_divide_scalar_int_float",
        A + "out = " + NI + "floor_divide_scalar(a, scalar=2.5, is_int=False)",
        data=(3, 5),
    ),
    case("mod_scalar", A + "out = a % 0.3", data=(3, 5)),
    case("mod_scalar_negative", A + "out = a % -0.3", data=(3, 5)),
    case("rmod_scalar", A + "out = 1 % (a + 1.5)", data=(3, 5)),
    icase("mod_scalar_int", A + "out = (a - 5) % 3", data=(3, 5)),
    icase("rmod_scalar_int", A + "out = 7 % (a - 10)", data=(3, 5)),
    icase("mod_scalar_int_float", A + "out = a % 2.5", data=(3, 5)),
    case("fmod", AB + "out = " + NP + "fmod(a, b)", **BIN),
    icase("fmod_int", AB + "out = " + NP + "fmod(a - 5, b)", **BIN),
    case("fmod_scalar", A + "out = " + NP + "fmod(a, 0.3)", data=(3, 5)),
    case("rfmod_scalar", A + "out = " + NP + "fmod(0.7, a + 1.5)", data=(3, 5)),
    case("hypot", AB + "out = " + NP + "hypot(a, b)", **BIN),
    case(
        "hypot_scalar", A + "out = " + NI + "hypot_scalar(a, scalar=2.0, is_int=False)", data=(3, 5)
    ),
    case("copysign", AB + "out = " + NP + "copysign(a, b)", **BIN),
    icase("copysign_int", AB + "out = " + NP + "copysign(a, b - 5)", **BIN),
    case("rcopysign_scalar", A + "out = " + NP + "copysign(2.0, a)", data=(3, 5)),
    case("arctan2", AB + "out = " + NP + "arctan2(a, b)", **BIN),
    case("arctan2_scalar", A + "out = " + NP + "arctan2(a, 0.5)", data=(3, 5)),
    case("rarctan2_scalar", A + "out = " + NP + "arctan2(0.5, a)", data=(3, 5)),
    case("fmax", AB + "out = " + NP + "fmax(a, b)", **BIN),
    case("fmin", AB + "out = " + NP + "fmin(a, b)", **BIN),
    icase("fmax_int", AB + "out = " + NP + "fmax(a, b)", **BIN),
    case("fmax_scalar", A + "out = " + NP + "fmax(a, 0.2)", data=(3, 5)),
    case("fmin_scalar", A + "out = " + NP + "fmin(a, 0.2)", data=(3, 5)),
    case("logical_and", AB + "out = " + NP + "logical_and(a > 0, b > 0)", **BIN),
    case("logical_or", AB + "out = " + NP + "logical_or(a > 0, b > 0)", **BIN),
    case("logical_xor", AB + "out = " + NP + "logical_xor(a > 0, b > 0)", **BIN),
    case("logical_and_float", AB + "out = " + NP + "logical_and(a, b)", **BIN),
    icase("logical_or_int", AB + "out = " + NP + "logical_or(a - 3, b - 5)", **BIN),
    case("logical_and_scalar", A + "out = " + NP + "logical_and(a, 1.0)", data=(3, 5)),
    case("logical_or_scalar", A + "out = " + NP + "logical_or(a > 0.5, 0)", data=(3, 5)),
    case("logical_xor_scalar", A + "out = " + NP + "logical_xor(a > 0, 1)", data=(3, 5)),
    icase("bitwise_and", AB + "out = a & b", **BIN),
    icase("bitwise_or", AB + "out = a | b", dtype="int64", **BIN),
    icase("bitwise_xor", AB + "out = a ^ (b - 5)", **BIN),
    case("bitwise_and_bool", AB + "out = (a > 0) & (b > 0)", **BIN),
    case("bitwise_or_bool", AB + "out = (a > 0) | (b > 0)", **BIN),
    icase("bitwise_and_scalar", A + "out = a & 3", data=(3, 5)),
    icase("bitwise_or_scalar", A + "out = a | 4", data=(3, 5)),
    icase("bitwise_xor_scalar", A + "out = (a - 5) ^ 6", dtype="int64", data=(3, 5)),
    icase("bitwise_not", A + "out = ~(a - 5)", data=(3, 5)),
    case("ldexp", AB + "out = " + NP + "ldexp(a, b * 3)", **BIN),
    case("ldexp_scalar", A + "out = " + NP + "ldexp(a, 3)", data=(3, 5)),
    case("rldexp_scalar", A + "out = " + NP + "ldexp(1.5, a)", data=(3, 5)),
    icase("gcd", AB + "out = " + NP + "gcd(a * 6 - 30, b * 4)", **BIN),
    icase("lcm", AB + "out = " + NP + "lcm(a - 5, b)", dtype="int64", **BIN),
    icase("gcd_scalar", A + "out = " + NP + "gcd(a * 3, 6)", data=(3, 5)),
    icase("lcm_scalar", A + "out = " + NP + "lcm(a, 4)", data=(3, 5)),
    case("bitwise_not_bool", A + "out = ~(a > 0)", data=(3, 5)),
]

test_np_elemwise_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_hypot_rejects_integers(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_hypot node 'n'.*floating-point"):
        one_node(
            tmp_path,
            "_npi_hypot",
            {},
            {"lhs": (2, 3), "rhs": (2, 3)},
            dtypes={"lhs": "int32", "rhs": "int32"},
        )


def test_gcd_rejects_float(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_gcd node 'n'.*integer inputs"):
        one_node(tmp_path, "_npi_gcd", {}, {"lhs": (2, 3), "rhs": (2, 3)})


def test_bitwise_and_rejects_float(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_bitwise_and node 'n'.*integer or bool"
    ):
        one_node(tmp_path, "_npi_bitwise_and", {}, {"lhs": (2, 3), "rhs": (2, 3)})


def test_bitwise_not_rejects_float(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_bitwise_not node 'n'.*integer or bool"
    ):
        one_node(tmp_path, "_npi_bitwise_not", {}, {"x": (2, 3)})


def test_floor_divide_rejects_mixed_dtypes(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"_npi_floor_divide node 'n'.*promotion"):
        one_node(
            tmp_path,
            "_npi_floor_divide",
            {},
            {"lhs": (2, 3), "rhs": (2, 3)},
            dtypes={"lhs": "float32", "rhs": "int32"},
        )


def test_fmod_rejects_shape_mismatch(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_fmod node 'n'.*cannot be broadcast"
    ):
        one_node(tmp_path, "_npi_fmod", {}, {"lhs": (2, 3), "rhs": (4,)})


def test_mod_scalar_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_mod_scalar node 'n'.*axis"):
        one_node(tmp_path, "_npi_mod_scalar", {"scalar": "2", "axis": "0"}, {"data": (2, 3)})


def test_copysign_scalar_against_numpy(tmp_path):
    # MXNet 2.0.0b1 cannot bind _npi_copysign_scalar (its backward node has the wrong input
    # count, even with grad_req="null"), so numpy's copysign is the reference here, for nonzero
    # scalars (MXNet's copysign compares with 0, so a -0.0 scalar counts as positive there).
    a = np.random.RandomState(1).uniform(-2, 2, (3, 5)).astype(np.float32)
    for scalar in ("-1.5", "2.0"):
        (got,) = run_one_node(
            tmp_path, "_npi_copysign_scalar", {"scalar": scalar, "is_int": "False"}, data=a
        )
        np.testing.assert_array_equal(got, np.copysign(a, np.float32(float(scalar))))
