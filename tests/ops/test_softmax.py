# SPDX-License-Identifier: Apache-2.0
"""softmax, log_softmax, SoftmaxActivation and SoftmaxOutput against MXNet 1.9.1 and 2.0.0b1:
every axis, temperature, dtype, use_length, instance/channel mode, multi_output, preserve_shape."""

import numpy as np
import pytest
from ops._harness import one_node
from ops._patch import run_patched, set_op
from oracle.cases import Case, case, oracle_test

import mxserve

T = dict(rtol=1e-5, atol=1e-6)
LEN = "length = mx.sym.cast(mx.sym.floor((lr + 1) * ({n} + 1) / 2), dtype='{t}')\n"

CASES = [
    case("softmax_default", "out = mx.sym.softmax(data, name='sm')", data=(3, 7), **T),
    case("softmax_axis0", "out = mx.sym.softmax(data, axis=0)", data=(5, 3, 2), **T),
    case("softmax_axis1", "out = mx.sym.softmax(data, axis=1)", data=(2, 5, 3, 3), **T),
    case("softmax_axis_neg2", "out = mx.sym.softmax(data, axis=-2)", data=(2, 3, 7, 4), **T),
    case("softmax_1d", "out = mx.sym.softmax(data)", data=(9,), **T),
    case("softmax_temperature", "out = mx.sym.softmax(data, temperature=2.5)", data=(4, 11), **T),
    case(
        "softmax_temperature_axis",
        "out = mx.sym.softmax(data, axis=1, temperature=0.5)",
        data=(2, 6, 5),
        **T,
    ),
    case("softmax_dtype64", "out = mx.sym.softmax(data, dtype='float64')", data=(3, 8), **T),
    case(
        "softmax_dtype32", "out = mx.sym.softmax(data, dtype='float32', axis=0)", data=(3, 8), **T
    ),
    Case(
        name="softmax_large",
        code="out = mx.sym.softmax(data)",
        inputs={"data": (2, 13)},
        low=-60.0,
        high=60.0,
        **T,
    ),
    # Inputs in [1, 5]: lengths 1..5 over an axis of 5 (data is drawn from the same range).
    Case(
        name="softmax_use_length",
        code="length = mx.sym.var('length', dtype='int32')\n"
        "out = mx.sym.softmax(data, length, axis=1, use_length=True)",
        inputs={"data": (3, 5), "length": (3,)},
        dtypes={"length": "int32"},
        low=1,
        high=5,
        **T,
    ),
    case("log_softmax_default", "out = mx.sym.log_softmax(data)", data=(3, 7), **T),
    case("log_softmax_axis1", "out = mx.sym.log_softmax(data, axis=1)", data=(2, 5, 4), **T),
    case(
        "log_softmax_temperature",
        "out = mx.sym.log_softmax(data, temperature=3.0)",
        data=(2, 9),
        **T,
    ),
    case(
        "softmax_activation_instance", "out = mx.sym.SoftmaxActivation(data)", data=(2, 3, 4), **T
    ),
    case(
        "softmax_activation_channel",
        "out = mx.sym.SoftmaxActivation(data, mode='channel')",
        data=(2, 5, 3, 3),
        **T,
    ),
    case(
        "softmax_activation_instance_2d", "out = mx.sym.SoftmaxActivation(data)", data=(4, 6), **T
    ),
    case(
        "softmax_activation_channel_5d",
        "out = mx.sym.SoftmaxActivation(data, mode='channel')",
        data=(1, 4, 2, 3, 2),
        **T,
    ),
    case("softmax_output", "out = mx.sym.SoftmaxOutput(data, name='so')", data=(4, 10), **T),
    case(
        "softmax_output_flatten", "out = mx.sym.SoftmaxOutput(data, name='so')", data=(2, 3, 4), **T
    ),
    case(
        "softmax_output_multi",
        "out = mx.sym.SoftmaxOutput(data, name='so', multi_output=True)",
        data=(2, 4, 3, 5),
        **T,
    ),
    case(
        "softmax_output_preserve",
        "out = mx.sym.SoftmaxOutput(data, name='so', preserve_shape=True)",
        data=(2, 3, 6),
        **T,
    ),
    case(
        "softmax_output_attrs",
        "out = mx.sym.SoftmaxOutput(data, name='so', grad_scale=2, ignore_label=0, use_ignore=True,"
        " normalization='valid', out_grad=False, smooth_alpha=0.1)",
        data=(3, 5),
        **T,
    ),
    case("softmax_alias_Softmax", "out = mx.sym.Softmax(data, name='so')", data=(3, 4), **T),
    # Lengths computed in the graph from an input in [-1, 1): 0 .. n.
    case(
        "softmax_length_last_axis",
        LEN.format(n=6, t="int32") + "out = mx.sym.softmax(data, length, axis=-1, use_length=True)",
        data=(4, 3, 6),
        lr=(4, 3),
        **T,
    ),
    case(
        "softmax_length_axis0",
        LEN.format(n=5, t="int32") + "out = mx.sym.softmax(data, length, axis=0, use_length=True)",
        data=(5, 3, 2),
        lr=(3, 2),
        **T,
    ),
    case(
        "softmax_length_axis1_int64",
        LEN.format(n=4, t="int64") + "out = mx.sym.softmax(data, length, axis=1, use_length=True)",
        data=(2, 4, 3),
        lr=(2, 3),
        **T,
    ),
    case(
        "softmax_length_1d",
        LEN.format(n=6, t="int32") + "out = mx.sym.softmax(data, length, use_length=True)",
        data=(6,),
        lr=(1,),
        **T,
    ),
    case(
        "softmax_length_attention",
        LEN.format(n=16, t="int32")
        + "out = mx.sym.softmax(data, length, axis=-1, use_length=True)",
        data=(8, 16, 16),
        lr=(8, 16),
        **T,
    ),
    case(
        "softmax_length_temperature",
        LEN.format(n=5, t="int32")
        + "out = mx.sym.softmax(data, length, axis=-1, use_length=True, temperature=0.7)",
        data=(4, 5),
        lr=(4,),
        **T,
    ),
    Case(
        name="softmax_float16",
        code="out = mx.sym.softmax(data, axis=1)",
        inputs={"data": (3, 6, 2)},
        dtypes={"data": "float16"},
        rtol=2e-3,
        atol=1e-3,
    ),
    Case(
        name="log_softmax_float16",
        code="out = mx.sym.log_softmax(data)",
        inputs={"data": (3, 9)},
        dtypes={"data": "float16"},
        rtol=2e-3,
        atol=2e-3,
    ),
    Case(
        name="softmax_float16_to_float32",
        code="out = mx.sym.softmax(data, dtype='float32')",
        inputs={"data": (2, 8)},
        dtypes={"data": "float16"},
        rtol=1e-3,
        atol=1e-3,
    ),
]

CASES2 = [
    # reset_np: MXNet 2 otherwise saves .params in the V3 format mxserve cannot read yet.
    case(
        "npx_softmax",
        "out = mx.sym.npx.softmax(data.as_np_ndarray(), axis=1).as_nd_ndarray()\nmx.npx.reset_np()",
        data=(2, 5, 3),
        **T,
    ),
    case(
        "npx_log_softmax",
        "out = mx.sym.npx.log_softmax(data.as_np_ndarray(), axis=-1, temperature=2.0).as_nd_ndarray()"
        "\nmx.npx.reset_np()",
        data=(4, 7),
        **T,
    ),
]

MS = (
    "m = lr.as_np_ndarray() > 0\n"
    "out = mx.sym.npx.{op}(data.as_np_ndarray(), m{args}).as_nd_ndarray()\nmx.npx.reset_np()"
)
CASES2 += [
    case(
        "npx_masked_softmax",
        MS.format(op="masked_softmax", args=""),
        data=(3, 7),
        lr=(3, 7),
        **T,
    ),
    case(
        "npx_masked_softmax_broadcast_axis1",
        MS.format(op="masked_softmax", args=", axis=1"),
        data=(2, 5, 4),
        lr=(2, 5, 1),
        **T,
    ),
    case(
        "npx_masked_softmax_temperature",
        MS.format(op="masked_softmax", args=", axis=-1, temperature=0.5"),
        data=(4, 6),
        lr=(1, 6),
        **T,
    ),
    case(
        "npx_masked_log_softmax",
        MS.format(op="masked_log_softmax", args=", axis=-1"),
        data=(3, 6),
        lr=(3, 6),
        **T,
    ),
    case(
        "npx_masked_softmax_all_masked_row",
        # Few elements pass, so some rows are masked entirely.
        "m = lr.as_np_ndarray() > 0.6\n"
        "out = mx.sym.npx.masked_softmax(data.as_np_ndarray(), m).as_nd_ndarray()\n"
        "mx.npx.reset_np()",
        data=(6, 3),
        lr=(6, 3),
        **T,
    ),
]

test_softmax = oracle_test(CASES)
test_softmax_mx2 = oracle_test(CASES2, version="2.0.0b1")


@pytest.mark.parametrize(
    "op, alias", [("softmax", "_npx_softmax"), ("log_softmax", "_npx_log_softmax")]
)
def test_softmax_alias_npx(op, alias):
    name = {"softmax": "softmax_axis1", "log_softmax": "log_softmax_axis1"}[op]
    got, want = run_patched(CASES, name, set_op(op, alias))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)


def test_softmax_rejects_axis_out_of_range():
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"softmax node 'sm'.*axis 2 is out of bounds"
    ):
        run_patched(CASES, "softmax_default", set_op("softmax", "softmax", axis="2"))


def test_softmax_rejects_bad_dtype():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"softmax node 'sm'.*dtype must be"):
        run_patched(CASES, "softmax_default", set_op("softmax", "softmax", dtype="int32"))


def test_softmax_activation_rejects_bad_mode():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"SoftmaxActivation node .*mode"):
        run_patched(
            CASES,
            "softmax_activation_instance",
            set_op("SoftmaxActivation", "SoftmaxActivation", mode="x"),
        )


def test_softmax_activation_rejects_channel_mode_on_2d():
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"SoftmaxActivation node .*at least 3 dimensions"
    ):
        run_patched(
            CASES,
            "softmax_activation_instance_2d",
            set_op("SoftmaxActivation", "SoftmaxActivation", mode="channel"),
        )


def test_masked_softmax_rejects_unbroadcastable_mask(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"masked_softmax node 'n'.*cannot be broadcast"
    ):
        one_node(
            tmp_path,
            "masked_softmax",
            {},
            {"data": (2, 3), "mask": (2, 2)},
            dtypes={"data": "float32", "mask": "bool"},
        )
