# SPDX-License-Identifier: Apache-2.0
"""Oracle cases of MXNet 1.9.1's quantized operators, written as MXNet's quantization flow writes
them, shared by test_quantized.py, test_quantized_ops.py, test_fused_convolution.py and
test_fused_fully_connected.py. Quantized results must be MXNet's exactly, up to one quantization
level where float rounding ties differ."""

from __future__ import annotations

import dataclasses
import pathlib

from oracle.cases import case as mk

Q = "mx.sym.contrib.quantize_v2"
DQ = "mx.sym.contrib.dequantize"


def quantize(var: str, lo: float, hi: float, out_type: str = "auto") -> str:
    return f"{Q}({var}, min_calib_range={lo}, max_calib_range={hi}, out_type='{out_type}')"


HELPERS = (pathlib.Path(__file__).parent / "_quantized_graphs.py").read_text() + "\n"


FC_PARAMS = {
    "f_weight": (-127.0, 127.0),
    "f_bias": (-127.0, 127.0),
    "f_weight_min": (-0.5, -0.5),
    "f_weight_max": (0.5, 0.5),
    "f_bias_min": (-0.2, -0.2),
    "f_bias_max": (0.2, 0.2),
}


def with_params(c: object, **ranges: tuple[float, float]) -> object:
    """`c` with fixed values (or ranges) for its parameters."""
    return dataclasses.replace(c, params=dict(ranges))


def sg_conv_case(name: str, call: str, **inputs) -> object:
    return mk(name, HELPERS + call, atol=0, rtol=0, **inputs)


QUANTIZE_CASES = [
    mk(
        "quantize_int8",
        f"q = {quantize('x', -0.7, 0.9, 'int8')}\nout = mx.sym.Group([q[0], q[1], q[2]])",
        atol=0,
        rtol=0,
        x=(2, 3, 5, 5),
    ),
    mk(
        "quantize_uint8_saturates",
        f"q = {quantize('x', 0.0, 0.5, 'uint8')}\nout = mx.sym.Group([q[0], q[1], q[2]])",
        atol=0,
        rtol=0,
        x=(4, 7),
    ),
    mk(
        "quantize_auto_signed",
        f"q = {quantize('x', -0.2, 1.0)}\nout = mx.sym.Group([q[0], q[1], q[2]])",
        atol=0,
        rtol=0,
        x=(3, 8),
    ),
    mk(
        "quantize_auto_unsigned",
        f"q = {quantize('x', 0.0, 1.0)}\nout = mx.sym.Group([q[0], q[1], q[2]])",
        atol=0,
        rtol=0,
        low=0,
        high=1,
        x=(3, 8),
    ),
    mk(
        "dequantize_int8",
        f"q = {quantize('x', -1.0, 1.0, 'int8')}\nout = {DQ}(q[0], q[1], q[2])",
        x=(2, 3, 4, 4),
    ),
    mk(
        "dequantize_uint8",
        f"q = {quantize('x', 0.0, 1.0, 'uint8')}\nout = {DQ}(q[0], q[1], q[2])",
        low=0,
        high=1,
        x=(5, 6),
    ),
    with_params(
        mk(
            "requantize_int8",
            "rmin = mx.sym.var('rmin')\nrmax = mx.sym.var('rmax')\n"
            "q = mx.sym.contrib.requantize(x, rmin, rmax, min_calib_range=-3.0, "
            "max_calib_range=2.5)\n"
            "out = mx.sym.Group([q[0], q[1], q[2]])",
            atol=1,
            rtol=0,
            dtype="int32",
            low=-2e9,
            high=2e9,
            x=(4, 9),
        ),
        rmin=(-6.0, -6.0),
        rmax=(5.0, 5.0),
    ),
    with_params(
        mk(
            "requantize_uint8",
            "rmin = mx.sym.var('rmin')\nrmax = mx.sym.var('rmax')\n"
            "q = mx.sym.contrib.requantize(x, rmin, rmax, min_calib_range=0.0, "
            "max_calib_range=4.0, out_type='auto')\n"
            "out = mx.sym.Group([q[0], q[1], q[2]])",
            atol=1,
            rtol=0,
            dtype="int32",
            low=-1e9,
            high=2e9,
            x=(4, 9),
        ),
        rmin=(-8.0, -8.0),
        rmax=(8.0, 8.0),
    ),
]

OPS_CASES = [
    mk(
        "pooling_max",
        f"q = {quantize('x', -1.0, 1.0, 'int8')}\n"
        "p = mx.sym.contrib.quantized_pooling(q[0], q[1], q[2], kernel=(3, 3), stride=(2, 2), "
        "pad=(1, 1), pool_type='max')\n"
        "out = mx.sym.Group([p[0], p[1], p[2]])",
        atol=0,
        rtol=0,
        x=(2, 4, 9, 9),
    ),
    mk(
        "pooling_global_avg_uint8",
        f"q = {quantize('x', 0.0, 1.0, 'uint8')}\n"
        "p = mx.sym.contrib.quantized_pooling(q[0], q[1], q[2], kernel=(1, 1), "
        "global_pool=True, pool_type='avg', pooling_convention='full')\n"
        "out = mx.sym.Group([p[0], p[1], p[2]])",
        atol=1,
        rtol=0,
        low=0,
        high=1,
        x=(2, 6, 7, 7),
    ),
    mk(
        "flatten",
        f"q = {quantize('x', -1.0, 1.0, 'int8')}\n"
        "f = mx.sym.contrib.quantized_flatten(q[0], q[1], q[2])\nout = mx.sym.Group([f[0], "
        "f[1], f[2]])",
        atol=0,
        rtol=0,
        x=(2, 3, 2, 2),
    ),
    mk(
        "concat_rescales",
        f"a = {quantize('x', -1.0, 1.0, 'int8')}\nb = {quantize('y', 0.0, 2.0, 'uint8')}\n"
        "c = mx.sym.contrib.quantized_concat(a[0], b[0], a[1], a[2], b[1], b[2], num_args=2, "
        "dim=1)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        atol=1,
        rtol=0,
        x=(2, 3, 4, 4),
        y=(2, 5, 4, 4),
    ),
    mk(
        "concat_uint8_same_scale",
        f"a = {quantize('x', 0.0, 1.0, 'uint8')}\nb = {quantize('y', 0.0, 1.0, 'uint8')}\n"
        "c = mx.sym.contrib.quantized_concat(a[0], b[0], a[1], a[2], b[1], b[2], num_args=2, "
        "dim=1)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        atol=0,
        rtol=0,
        low=0,
        high=1,
        x=(2, 3, 4, 4),
        y=(2, 2, 4, 4),
    ),
]

CONV_CASES = [
    sg_conv_case(
        "sg_conv_bn_relu",
        f"q = {quantize('x', -1.0, 1.0)}\n"
        "c = sg_conv(q, 'c', {'quantized': 'true', 'with_bn': 'true', 'with_act': 'true', "
        "'min_calib_range': '0.0', 'max_calib_range': '3.0'}, with_bn=True, act=relu)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        x=(2, 4, 9, 9),
    ),
    sg_conv_case(
        "sg_conv_int8_out_stride2_no_bias",
        f"q = {quantize('x', -1.0, 1.0)}\n"
        "c = sg_conv(q, 'c', {'quantized': 'true', 'min_calib_range': '-2.0', "
        "'max_calib_range': '2.5'}, "
        "stride='(2, 2)', no_bias=True)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        x=(2, 4, 9, 9),
    ),
    sg_conv_case(
        "sg_conv_depthwise_relu6",
        f"q = {quantize('x', 0.0, 1.0)}\n"
        "c = sg_conv(q, 'c', {'quantized': 'true', 'with_bn': 'true', 'with_act': 'true', "
        "'min_calib_range': '0.0', 'max_calib_range': '1.5'}, with_bn=True, act=relu6, "
        "num_filter=4, group=4, no_bias=True)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        low=0,
        x=(2, 4, 8, 8),
    ),
    sg_conv_case(
        "sg_conv_sum_relu",
        f"q = {quantize('x', -1.0, 1.0)}\ns = {quantize('y', 0.0, 1.0)}\n"
        "c = sg_conv(q, 'c', {'quantized': 'true', 'with_bn': 'true', 'with_sum': 'true', "
        "'with_postsum_act': 'true', 'min_calib_range': '0.0', 'max_calib_range': '4.0'}, "
        "with_bn=True, with_sum=s, postsum=True)\n"
        "out = mx.sym.Group([c[0], c[1], c[2]])",
        x=(2, 4, 6, 6),
        y=(2, 8, 6, 6),
    ),
]


def float_case(name: str, code: str, **shapes: tuple[int, ...]):
    """A float32 subgraph node's case: it matches MXNet to float32 rounding."""
    return mk(name, code, atol=1e-5, rtol=1e-4, **shapes)


# Float32 subgraph nodes, as MXNet leaves the layers excluded from quantization: the subgraph's
# BatchNorm is folded into the weight and bias (MXNet's UpdateConvWeightBias), so results match
# to float32 rounding.
FLOAT_CONV_CASES = [
    with_params(c, c_running_var=(0.5, 1.5))
    for c in [
        float_case(
            "sg_conv_float_bn_relu",
            HELPERS + "out = sg_conv(x, 'c', {'with_bn': 'true', 'with_act': 'true'}, "
            "with_bn=True, act=relu)",
            x=(2, 4, 9, 9),
        ),
        float_case(
            "sg_conv_float_no_bias_stride2",
            HELPERS + "out = sg_conv(x, 'c', {}, stride='(2, 2)', no_bias=True)",
            x=(2, 4, 9, 9),
        ),
        float_case(
            "sg_conv_float_depthwise_relu6",
            HELPERS + "out = sg_conv(x, 'c', {'with_bn': 'true', 'with_act': 'true'}, "
            "with_bn=True, act=relu6, num_filter=4, group=4, no_bias=True)",
            x=(2, 4, 8, 8),
        ),
        float_case(
            "sg_conv_float_bn_sum_relu",
            HELPERS + "out = sg_conv(x, 'c', {'with_bn': 'true', 'with_sum': 'true', "
            "'with_postsum_act': 'true'}, with_bn=True, with_sum=y, postsum=True)",
            x=(2, 4, 6, 6),
            y=(2, 8, 6, 6),
        ),
    ]
]

FC_CASES = [
    with_params(
        mk(
            "sg_fc_float_output",
            HELPERS + f"q = {quantize('x', -1.0, 1.0)}\n"
            "out = sg_fc(q, 'f', {'quantized': 'True', 'enable_float_output': 'True'})",
            atol=1e-6,
            rtol=1e-5,
            x=(3, 10),
        ),
        **FC_PARAMS,
    ),
    with_params(
        mk(
            "sg_fc_relu_uint8_output",
            HELPERS + f"q = {quantize('x', 0.0, 1.0)}\n"
            "f = sg_fc(q, 'f', {'quantized': 'True', 'with_eltwise': 'True', "
            "'min_calib_range': '0.0', "
            "'max_calib_range': '0.8'}, act='relu')\nout = mx.sym.Group([f[0], f[1], f[2]])",
            atol=1,
            rtol=0,
            low=0,
            x=(3, 10),
        ),
        **FC_PARAMS,
    ),
    float_case(
        "sg_fc_float_relu",
        HELPERS + "out = sg_fc(x, 'f', {'with_eltwise': 'True'}, act='relu')",
        x=(3, 10),
    ),
]
