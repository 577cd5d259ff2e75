# SPDX-License-Identifier: Apache-2.0
"""fold_batchnorm: Convolution + BatchNorm become one convolution, with MXNet's numbers."""

import numpy as np
from oracle.cases import case, check_case, run_cases

import mxserve

CASES = [
    case(
        "conv_bn",
        "c = mx.sym.Convolution(data, kernel=(3, 3), pad=(1, 1), num_filter=6, name='c')\n"
        "out = mx.sym.BatchNorm(c, fix_gamma=False, eps=1e-3, name='bn')",
        data=(2, 3, 7, 7),
        rtol=1e-4,
        atol=1e-5,
    ),
    case(
        "conv_nobias_bn_fixgamma_relu",
        "c = mx.sym.Convolution(data, kernel=(1, 1), num_filter=5, no_bias=True, name='c')\n"
        "b = mx.sym.BatchNorm(c, fix_gamma=True, eps=2e-5, name='bn')\n"
        "out = mx.sym.Activation(b, act_type='relu')",
        data=(1, 4, 5, 5),
        rtol=1e-4,
        atol=1e-5,
    ),
]


def _predictor(name, **kw):
    d = run_cases(CASES) / name
    with np.load(d / "inputs.npz") as f:
        x = f["data"]
    return (
        mxserve.Predictor(
            d / "symbol.json", d / "model.params", input_shapes={"data": x.shape}, **kw
        ),
        x,
        d,
    )


def test_fold_matches_mxnet():
    results = run_cases(CASES)
    for c in CASES:
        check_case(c, results)


def test_fold_removes_batchnorm():
    p, _, _ = _predictor("conv_bn")
    assert "BatchNorm" not in p.info()["ops"]
    assert p.info()["ops"] == {"_sg_mkldnn_conv": 1}


def test_fold_keeps_requested_conv_output():
    p, x, d = _predictor("conv_bn", outputs=["c_output", "bn_output"])
    assert p.info()["ops"] == {"Convolution": 1, "BatchNorm": 1}
    conv, bn = p(data=x)
    with np.load(d / "outputs.npz") as f:
        np.testing.assert_allclose(bn, f["arr_0"], rtol=1e-4, atol=1e-5)
    assert conv.shape == bn.shape


def test_fold_is_shared_by_reshape():
    p, x, _ = _predictor("conv_bn")
    before = p.info()["prepacked_weight_bytes"]
    p2 = p.reshape({"data": (2, 3, 7, 7)})
    assert p2.info()["prepacked_weight_bytes"] == before
