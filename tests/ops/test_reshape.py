# SPDX-License-Identifier: Apache-2.0
"""Reshape (all special codes, reverse, legacy target_shape), _np_reshape, _npx_reshape,
expand_dims and squeeze against MXNet 1.9.1 and 2.0.0b1. These operators alias their input, so
several cases reshape a graph input straight to the output or sit between real operators."""


import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

R = "out = mx.sym.Reshape(data, {})"

CASES = [
    case("reshape_plain", R.format("shape=(6, 4)"), data=(2, 3, 4)),
    case("reshape_zero_keep", R.format("shape=(0, -1)"), data=(2, 3, 4)),
    case("reshape_minus1_middle", R.format("shape=(0, -1, 0)"), data=(2, 3, 4)),
    case("reshape_minus2", R.format("shape=(-2,)"), data=(2, 3, 4)),
    case("reshape_0_minus2", R.format("shape=(2, -2)"), data=(2, 3, 4)),
    case("reshape_minus3", R.format("shape=(-3, 4)"), data=(2, 3, 4)),
    case("reshape_minus3_minus1", R.format("shape=(-3, -1)"), data=(2, 3, 4)),
    case("reshape_minus4", R.format("shape=(-4, 1, 2, -2)"), data=(2, 3, 4)),
    case("reshape_minus4_infer", R.format("shape=(-4, -1, 2, -2)"), data=(4, 3)),
    case("reshape_reverse", R.format("shape=(-1, 0), reverse=True"), data=(2, 3, 4)),
    case("reshape_reverse_minus3", R.format("shape=(0, -3), reverse=True"), data=(5, 3, 2)),
    case("reshape_target_shape", R.format("target_shape=(0, 6)"), data=(2, 3, 4)),
    case(
        "reshape_keep_highest", R.format("target_shape=(5, 0), keep_highest=True"), data=(2, 3, 4)
    ),
    case(
        "reshape_alias",
        "out = mx.sym.reshape(mx.sym.Activation(data, act_type='relu'), shape=(-1,))",
        data=(3, 5),
    ),
    case(
        "reshape_between_ops",
        "h = mx.sym.Activation(data, act_type='tanh')\n"
        "h = mx.sym.Reshape(h, shape=(0, -1))\n"
        "out = mx.sym.FullyConnected(h, num_hidden=3)",
        data=(2, 3, 2, 2),
    ),
    case(
        "reshape_input_and_producer_outputs",
        "a = mx.sym.Activation(data, act_type='relu')\n"
        "out = mx.sym.Group([a, mx.sym.Reshape(a, shape=(-1,)), mx.sym.Reshape(data, shape=(2, -1))])",
        data=(2, 2, 3),
    ),
    # A reshaped parameter feeding FullyConnected: the alias points at the weights.
    case(
        "reshape_param_as_weight",
        "w = mx.sym.Reshape(mx.sym.var('w', shape=(12,)), shape=(3, 4))\n"
        "out = mx.sym.FullyConnected(data, weight=w, num_hidden=3, no_bias=True)",
        data=(2, 4),
    ),
    case("expand_dims_0", "out = mx.sym.expand_dims(data, axis=0)", data=(3, 4)),
    case("expand_dims_last", "out = mx.sym.expand_dims(data, axis=2)", data=(3, 4)),
    case("expand_dims_neg", "out = mx.sym.expand_dims(data, axis=-1)", data=(3, 4)),
    case("expand_dims_neg_first", "out = mx.sym.expand_dims(data, axis=-3)", data=(3, 4)),
    case("squeeze_all", "out = mx.sym.squeeze(data)", data=(1, 3, 1, 4)),
    case("squeeze_axis", "out = mx.sym.squeeze(data, axis=2)", data=(1, 3, 1, 4)),
    case("squeeze_axes_neg", "out = mx.sym.squeeze(data, axis=(0, -2))", data=(1, 3, 1, 4)),
    case("squeeze_to_one", "out = mx.sym.squeeze(data)", data=(1, 1, 1)),
]

test_reshape = oracle_test(CASES)

N = "x = data.as_np_ndarray()\n"
CASES2 = [
    case("np_reshape", N + "out = mx.sym.np.reshape(x, (4, -1))", data=(2, 3, 4)),
    case("np_reshape_flat", N + "out = mx.sym.np.reshape(x, (-1,))", data=(2, 3)),
    # The ndarray method writes _np_reshape (mx.sym.np.reshape writes _npx_reshape).
    case("np_reshape_method", N + "out = x.reshape((3, -1))", data=(2, 3, 4)),
    case("np_reshape_method_flat", N + "out = x.reshape(-1)", data=(2, 3)),
    case("npx_reshape_minus2", N + "out = mx.sym.npx.reshape(x, (-2, -1))", data=(2, 3, 4)),
    case("npx_reshape_minus3", N + "out = mx.sym.npx.reshape(x, (-2, -3, -2))", data=(2, 1, 4)),
    case("npx_reshape_minus4", N + "out = mx.sym.npx.reshape(x, (-5, -4))", data=(2, 3, 4, 5)),
    case("npx_reshape_minus5", N + "out = mx.sym.npx.reshape(x, (-5, -2))", data=(2, 3, 4)),
    case("npx_reshape_minus6", N + "out = mx.sym.npx.reshape(x, (-6, 2, -1, -4))", data=(6, 4)),
    case(
        "npx_reshape_reverse",
        N + "out = mx.sym.npx.reshape(x, (-1, -2), reverse=True)",
        data=(2, 3, 4),
    ),
    case("np_expand_dims", N + "out = mx.sym.np.expand_dims(x, -1)", data=(2, 3)),
    case("np_squeeze_all", N + "out = mx.sym.np.squeeze(x)", data=(1, 3, 1)),
    case("np_squeeze_scalar", N + "out = mx.sym.np.squeeze(x)", data=(1, 1)),
    case("np_squeeze_axis", N + "out = mx.sym.np.squeeze(x, axis=(0,))", data=(1, 3, 1)),
]

test_reshape_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, op, attrs, shape):
    return one_node(tmp_path, op, attrs, {"data": shape}, name="r")


def test_reshape_rejects_size_mismatch(tmp_path):
    # MXNet 1.x does not check this and returns a tensor of the wrong size; mxserve refuses.
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"Reshape node 'r'.*cannot reshape .*\(2, 3, 4\).*\(4, 4\)",
    ):
        _predictor(tmp_path, "Reshape", {"shape": "(4, 4)"}, (2, 3, 4))


def test_reshape_rejects_two_inferred_dims(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"only one dimension can be -1"):
        _predictor(tmp_path, "Reshape", {"shape": "(-1, -1)"}, (2, 3))


def test_reshape_rejects_bad_split(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"do not multiply"):
        _predictor(tmp_path, "Reshape", {"shape": "(-4, 2, 2, 0)"}, (6, 3))


def test_npx_reshape_rejects_skip_of_non_one(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"-3 .* size 1"):
        _predictor(tmp_path, "_npx_reshape", {"newshape": "(-3, -1)"}, (2, 3))


def test_expand_dims_rejects_axis(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"expand_dims node 'r'.*axis 3 is outside \[-3, 2\]"
    ):
        _predictor(tmp_path, "expand_dims", {"axis": "3"}, (2, 3))


def test_squeeze_rejects_non_unit_axis(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"squeeze node 'r'.*cannot squeeze axis 1 of size 3"
    ):
        _predictor(tmp_path, "squeeze", {"axis": "(1,)"}, (1, 3))


def test_reshape_keeps_bytes(tmp_path):
    import numpy as np

    p = _predictor(tmp_path, "_npx_reshape", {"newshape": "(-1, 2)"}, (3, 4))
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    (y,) = p(data=x)
    np.testing.assert_array_equal(y, x.reshape(-1, 2))
