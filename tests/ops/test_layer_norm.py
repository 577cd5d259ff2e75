# SPDX-License-Identifier: Apache-2.0
"""LayerNorm against MXNet 1.9.1 and 2.0.0b1 (_npx_layer_norm): last axis (oneDNN), other and
negative axes, eps, output_mean_var (mean and std outputs), float16 data, 1-D data."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, case, oracle_test

import mxserve

T = dict(rtol=1e-4, atol=1e-5)
LN = "out = mx.sym.LayerNorm(data{})"

CASES = [
    case("layer_norm_default", LN.format(""), data=(4, 16), **T),
    case("layer_norm_3d", LN.format(""), data=(3, 2, 24), **T),
    case("layer_norm_axis0", LN.format(", axis=0"), data=(5, 3, 4), **T),
    case("layer_norm_axis1", LN.format(", axis=1"), data=(2, 7, 3), **T),
    case("layer_norm_axis_neg2", LN.format(", axis=-2"), data=(2, 6, 5), **T),
    case("layer_norm_eps", LN.format(", eps=0.1"), data=(3, 8), **T),
    case("layer_norm_1d", LN.format(""), data=(10,), **T),
    case("layer_norm_single_channel", LN.format(""), data=(4, 1), **T),
    case(
        "layer_norm_mean_var",
        "out = mx.sym.Group(list(mx.sym.LayerNorm(data, output_mean_var=True)))",
        data=(3, 4, 6),
        **T,
    ),
    case(
        "layer_norm_mean_var_axis1",
        "out = mx.sym.Group(list(mx.sym.LayerNorm(data, axis=1, output_mean_var=True)))",
        data=(2, 5, 3),
        **T,
    ),
    Case(
        name="layer_norm_large_offset",
        code=LN.format(""),
        inputs={"data": (2, 32)},
        low=90.0,
        high=110.0,
        **T,
    ),
    Case(
        name="layer_norm_float16",
        code="g = mx.sym.var('g', dtype='float16')\nb = mx.sym.var('b', dtype='float16')\n"
        "out = mx.sym.LayerNorm(data, g, b)",
        inputs={"data": (3, 12)},
        dtypes={"data": "float16"},
        rtol=2e-3,
        atol=2e-3,
    ),
    case(
        "layer_norm_after_fc",
        "out = mx.sym.LayerNorm(mx.sym.FullyConnected(data, num_hidden=20, flatten=False))",
        data=(2, 3, 8),
        **T,
    ),
]

test_layer_norm = oracle_test(CASES)

CASES2 = [
    Case(
        name="npx_layer_norm",
        code="x = data.as_np_ndarray()\ng = mx.sym.var('g').as_np_ndarray()\n"
        "b = mx.sym.var('b').as_np_ndarray()\n"
        "out = mx.sym.npx.layer_norm(x, g, b, axis=-1, eps=1e-6)",
        inputs={"data": (2, 3, 10)},
        **T,
    ),
]

test_layer_norm_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_layer_norm_rejects_axis_out_of_range(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"LayerNorm node 'n'.*out of bounds"):
        shapes = {"data": (2, 3), "gamma": (3,), "beta": (3,)}
        one_node(tmp_path, "LayerNorm", {"axis": "2"}, shapes)


def test_layer_norm_rejects_bad_gamma(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"LayerNorm node 'n'.*gamma has shape"):
        one_node(tmp_path, "LayerNorm", {}, {"data": (2, 3), "gamma": (4,), "beta": (3,)})


def test_layer_norm_rejects_integer_data(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"LayerNorm node 'n'.*floating point"):
        one_node(
            tmp_path,
            "LayerNorm",
            {},
            {"data": (2, 3), "gamma": (3,), "beta": (3,)},
            dtypes={"data": "int32", "gamma": "int32", "beta": "int32"},
        )
