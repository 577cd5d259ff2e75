# SPDX-License-Identifier: Apache-2.0
"""Dtypes across the common operators, against MXNet: float16 graphs (computed in float32 by
exec/float16.cc, compared with MXNet's own float16 results within float16 precision), int32 and
int64 index tensors through the shape operators, uint8 / int8 images cast to float32 at the
start of a network, and bool masks (MXNet 2.0 comparisons give bool)."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import Case, oracle_test

import mxserve


def c(name, code, dtype, rtol=1e-5, atol=1e-5, low=-1.0, high=1.0, **inputs):
    return Case(
        name=name,
        code=code,
        inputs={k: tuple(v) for k, v in inputs.items()},
        dtypes={k: dtype for k in inputs},
        rtol=rtol,
        atol=atol,
        low=low,
        high=high,
    )


def f16(name, code, **inputs):
    return c(name, code, "float16", rtol=1e-2, atol=2e-3, **inputs)


def i32(name, code, dtype="int32", **inputs):
    return c(name, code, dtype, low=-100, high=100, **inputs)


CASES = [
    # float16: operators MXNet 1.9.1 runs in float16 on CPU.
    f16("f16_relu", "out = mx.sym.Activation(data, act_type='relu')", data=(2, 3, 4)),
    f16("f16_sigmoid_tanh", "out = mx.sym.tanh(mx.sym.sigmoid(data))", data=(2, 5)),
    f16("f16_softmax", "out = mx.sym.softmax(data * 4, axis=-1)", data=(3, 7)),
    f16("f16_log_softmax", "out = mx.sym.log_softmax(data, axis=1)", data=(3, 7)),
    f16(
        "f16_pooling_max",
        "out = mx.sym.Pooling(data, kernel=(2, 2), stride=(2, 2), pool_type='max')",
        data=(1, 3, 6, 6),
    ),
    f16(
        "f16_pooling_avg",
        "out = mx.sym.Pooling(data, kernel=(3, 3), stride=(1, 1), pad=(1, 1), pool_type='avg')",
        data=(1, 2, 5, 5),
    ),
    f16(
        "f16_global_pool",
        "out = mx.sym.Pooling(data, global_pool=True, kernel=(1, 1))",
        data=(2, 3, 4, 4),
    ),
    f16(
        "f16_batchnorm",
        "out = mx.sym.BatchNorm(data, fix_gamma=False, name='bn')",
        data=(2, 3, 4, 4),
    ),
    f16("f16_elemwise", "out = (lhs + rhs) * lhs - rhs / 4", lhs=(2, 3), rhs=(2, 3)),
    f16("f16_broadcast", "out = mx.sym.broadcast_mul(lhs, rhs) + 1", lhs=(2, 3, 4), rhs=(1, 3, 1)),
    f16("f16_scalar_ops", "out = mx.sym.maximum(data * 3 - 1, 0.5)", data=(4, 5)),
    f16(
        "f16_concat_reshape_transpose",
        "out = mx.sym.transpose(mx.sym.reshape(mx.sym.concat(lhs, rhs, dim=1), (2, -1)))",
        lhs=(2, 3),
        rhs=(2, 5),
    ),
    f16("f16_slice", "out = mx.sym.slice(data, begin=(None, 1), end=(None, 4))", data=(3, 5)),
    f16("f16_leaky_relu", "out = mx.sym.LeakyReLU(data, act_type='leaky', slope=0.1)", data=(3, 4)),
    f16("f16_sum_mean", "out = mx.sym.sum(data, axis=1) + mx.sym.mean(data, axis=1)", data=(3, 4)),
    f16("f16_cast_to_f32", "out = mx.sym.Cast(data, dtype='float32') * 2", data=(3, 4)),
    c(
        "f32_cast_to_f16",
        "out = mx.sym.Cast(data, dtype='float16') * 3",
        "float32",
        rtol=1e-2,
        atol=2e-3,
        data=(3, 4),
    ),
    # int32 / int64 index tensors through the shape operators.
    i32("i32_reshape", "out = mx.sym.reshape(data, (0, -1, 2))", data=(2, 3, 4)),
    i32("i64_reshape", "out = mx.sym.reshape(data, (-3, 0))", "int64", data=(2, 3, 4)),
    i32("i32_transpose", "out = mx.sym.transpose(data, axes=(2, 0, 1))", data=(2, 3, 4)),
    i32("i64_transpose", "out = mx.sym.transpose(data)", "int64", data=(3, 5)),
    i32(
        "i32_slice",
        "out = mx.sym.slice(data, begin=(1, None), end=(None, None), step=(1, -1))",
        data=(3, 4),
    ),
    i32("i32_slice_axis", "out = mx.sym.slice_axis(data, axis=1, begin=1, end=3)", data=(3, 4)),
    i32("i32_concat", "out = mx.sym.concat(lhs, rhs, dim=0)", lhs=(2, 3), rhs=(1, 3)),
    i32("i64_concat", "out = mx.sym.concat(lhs, rhs, dim=1)", "int64", lhs=(2, 3), rhs=(2, 1)),
    i32(
        "i32_expand_squeeze",
        "out = mx.sym.squeeze(mx.sym.expand_dims(data, axis=1), axis=1)",
        data=(3, 4),
    ),
    i32("i32_flatten", "out = mx.sym.flatten(data)", data=(2, 3, 4)),
    i32("i32_swapaxes", "out = mx.sym.swapaxes(data, 0, 1)", data=(2, 3)),
    i32("i32_cast_float", "out = mx.sym.Cast(data, dtype='float32') * 0.5", data=(3, 4)),
    i32("i64_cast_int32", "out = mx.sym.Cast(data, dtype='int32')", "int64", data=(3, 4)),
    i32("i32_arith", "out = (lhs + rhs) * 2 - rhs", lhs=(2, 3), rhs=(2, 3)),
    # uint8 / int8 images cast to float32 at the entry of a network.
    c(
        "u8_image_conv",
        "x = mx.sym.Cast(data, dtype='float32') / 255\n"
        "out = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, pad=(1, 1), name='c')",
        "uint8",
        rtol=1e-4,
        atol=1e-4,
        low=0,
        high=255,
        data=(1, 3, 8, 8),
    ),
    c(
        "i8_image_conv",
        "x = mx.sym.Cast(data, dtype='float32') / 128\n"
        "out = mx.sym.Activation(mx.sym.Convolution(x, kernel=(1, 1), num_filter=2, name='c'),"
        " act_type='relu')",
        "int8",
        rtol=1e-4,
        atol=1e-4,
        low=-128,
        high=127,
        data=(2, 3, 4, 4),
    ),
    c(
        "u8_transpose_cast",
        "out = mx.sym.Cast(mx.sym.transpose(data, axes=(0, 3, 1, 2)), dtype='float32') - 128",
        "uint8",
        low=0,
        high=255,
        data=(1, 4, 4, 3),
    ),
]

test_dtypes = oracle_test(CASES)

N = "a = lhs.as_np_ndarray()\nb = rhs.as_np_ndarray()\n"
X = "x = data.as_np_ndarray()\n"
CASES2 = [
    # bool masks: MXNet 2.0 comparisons give bool.
    c("bool_less", N + "out = a < b", "float32", lhs=(2, 3), rhs=(2, 3)),
    c("bool_greater_scalar", X + "out = x > 0.2", "float32", data=(3, 4)),
    c("bool_equal_int", N + "out = a == b", "int32", low=0, high=2, lhs=(3, 4), rhs=(1, 4)),
    c(
        "bool_mask_multiply",
        N + "out = a * (b > 0).astype('float32')",
        "float32",
        lhs=(2, 3),
        rhs=(2, 3),
    ),
    c("bool_mask_cast_int", X + "out = (x > 0).astype('int32')", "float32", data=(3, 4)),
    c(
        "bool_mask_logical",
        N + "out = mx.sym.np.logical_and(a > 0, b < 0.5)",
        "float32",
        lhs=(2, 3),
        rhs=(2, 3),
    ),
    c(
        "bool_mask_shape_ops",
        N + "m = mx.sym.npx.reshape(a > b, (-1, 2))\n"
        "out = mx.sym.np.squeeze(mx.sym.np.expand_dims(m, 0), 0)",
        "float32",
        lhs=(2, 3, 2),
        rhs=(2, 3, 2),
    ),
    c(
        "bool_mask_slice_expand",
        N + "out = mx.sym.np.expand_dims((a > b)[:, 1:3], 0)",
        "float32",
        lhs=(3, 4),
        rhs=(3, 4),
    ),
    c(
        "bool_mask_to_additive",
        N + "m = (b > 0).astype('float32')\nout = a + (1 - m) * -1e4",
        "float32",
        lhs=(2, 5),
        rhs=(2, 5),
    ),
    # int32 index flows through the numpy shape operators.
    i32(
        "np_i32_reshape_transpose",
        X + "out = mx.sym.np.transpose(mx.sym.npx.reshape(x, (-2, -1)))",
        data=(2, 3, 4),
    ),
    i32("np_i32_index", X + "out = x[:, 0]", data=(3, 4)),
    i32(
        "np_i32_squeeze", X + "out = mx.sym.np.squeeze(mx.sym.np.expand_dims(x, 1), 1)", data=(3, 4)
    ),
    i32("np_i32_astype", X + "out = x.astype('float32') / 2", data=(3, 4)),
    i32("np_i64_swapaxes", X + "out = mx.sym.np.swapaxes(x, 0, 1)", "int64", data=(2, 3)),
    # float16 in MXNet 2.0 numpy graphs.
    f16("np_f16_arith", N + "out = (a * b + a) / 2", lhs=(2, 3), rhs=(2, 3)),
    f16("np_f16_softmax", X + "out = mx.sym.npx.softmax(x * 3, axis=-1)", data=(2, 6)),
    f16("np_f16_compare", N + "out = a < b", lhs=(2, 3), rhs=(2, 3)),
]

test_dtypes_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_float16_output_dtype(tmp_path):
    p = one_node(
        tmp_path, "Activation", {"act_type": "relu"}, {"data": (2, 3)}, dtypes={"data": "float16"}
    )
    (y,) = p(data=np.array([[-1, 0.5, 2], [3, -4, 1e-3]], np.float16))
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y, np.array([[0, 0.5, 2], [3, 0, 1e-3]], np.float16))


def test_cast_rejects_unknown_dtype(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Cast node 'n'.*dtype"):
        one_node(tmp_path, "Cast", {"dtype": "float12"}, {"data": (2, 3)})
