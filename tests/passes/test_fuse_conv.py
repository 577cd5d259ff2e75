# SPDX-License-Identifier: Apache-2.0
"""fuse_conv: activations and residual additions run as convolution post-ops, with MXNet's numbers,
whether the residual's buffer can be reused in place or must be copied."""

import numpy as np
import pytest
from oracle.cases import case, check_case, run_cases

import mxserve

CASES = [
    case(
        "conv_relu",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=8, name='c')\n"
        "out = mx.sym.Activation(c, act_type='relu', name='r')",
        data=(1, 4, 9, 9),
    ),
    case(
        "conv_bn_add_relu_input_residual",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=4, no_bias=True, name='c')\n"
        "b = mx.sym.BatchNorm(c, fix_gamma=False, name='bn')\n"
        "s = mx.sym.elemwise_add(b, data, name='add')\n"
        "out = mx.sym.Activation(s, act_type='relu', name='r')",
        data=(2, 4, 6, 6),
        rtol=1e-4,
        atol=1e-5,
    ),
    case(
        "resnet_block_inplace_residual",
        "x = mx.sym.Convolution(data, kernel=(1, 1), num_filter=6, name='stem')\n"
        "x = mx.sym.Activation(x, act_type='relu', name='stem_relu')\n"
        "c = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=6, name='c')\n"
        "s = mx.sym.broadcast_add(c, x, name='add')\n"
        "out = mx.sym.Activation(s, act_type='relu', name='r')",
        data=(1, 3, 8, 8),
        rtol=1e-4,
        atol=1e-5,
    ),
    case(
        "residual_read_later",
        "x = mx.sym.Convolution(data, kernel=(1, 1), num_filter=5, name='stem')\n"
        "c = mx.sym.Convolution(x, kernel=(3, 3), pad=(1, 1), num_filter=5, name='c')\n"
        "s = mx.sym.elemwise_add(c, x, name='add')\n"
        "out = mx.sym.elemwise_mul(s, x, name='mul')",
        data=(1, 2, 7, 7),
        rtol=1e-4,
        atol=1e-5,
    ),
    case(
        "conv_relu6_clip",
        "c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, num_group=8, pad=(1, 1), name='c')\n"
        "out = mx.sym.clip(c, 0, 0.3, name='relu6')",
        data=(1, 8, 6, 6),
    ),
    case(
        "conv_leaky",
        "c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name='c')\n"
        "out = mx.sym.LeakyReLU(c, act_type='leaky', slope=0.1, name='lk')",
        data=(1, 3, 6, 6),
    ),
    case(
        "conv_broadcast_add_not_fused",
        "c = mx.sym.Convolution(data, kernel=(1, 1), num_filter=4, name='c')\n"
        "out = mx.sym.broadcast_add(c, bias_map, name='add')",
        data=(1, 3, 5, 5),
        bias_map=(1, 4, 1, 1),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_fused_matches_mxnet(c):
    check_case(c, run_cases(CASES))


def _ops(name, **kw):
    d = run_cases(CASES) / name
    with np.load(d / "inputs.npz") as f:
        shapes = {k: f[k].shape for k in f.files}
    return mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes=shapes, **kw
    ).info()


def test_fuses_whole_residual_block():
    info = _ops("conv_bn_add_relu_input_residual")
    assert info["ops"] == {"_sg_mkldnn_conv": 1}
    assert any("+sum" in impl for _, impl in info["kernels"])


def test_broadcasting_add_stays_separate():
    assert _ops("conv_broadcast_add_not_fused")["ops"] == {"Convolution": 1, "broadcast_add": 1}


def test_requested_intermediate_is_not_fused_away():
    info = _ops("conv_relu", outputs=["c_output", "r_output"])
    assert info["ops"] == {"Convolution": 1, "Activation": 1}


def test_layouts_do_not_change_results(monkeypatch):
    d = run_cases(CASES) / "resnet_block_inplace_residual"
    with np.load(d / "inputs.npz") as f:
        x = f["data"]
    fast = mxserve.Predictor(d / "symbol.json", d / "model.params", input_shapes={"data": x.shape})
    monkeypatch.setenv("MXSERVE_LAYOUT", "rowmajor")
    plain = mxserve.Predictor(d / "symbol.json", d / "model.params", input_shapes={"data": x.shape})
    np.testing.assert_allclose(fast(data=x)[0], plain(data=x)[0], rtol=1e-5, atol=1e-6)
