# SPDX-License-Identifier: Apache-2.0
"""LeakyReLU against MXNet 1.9.1 and 2.0.0b1: leaky, elu, selu, gelu, prelu (per channel,
scalar, 2-D gamma), rrelu at inference (fixed slope)."""

import json

import numpy as np
import pytest
from ops._patch import run_patched, set_op
from oracle.cases import case, oracle_test, run_cases

import mxserve


def act(name, attrs, rtol=1e-5, atol=1e-5, **shape):
    return case(
        name, f"out = mx.sym.LeakyReLU(data, name='act', {attrs})", rtol=rtol, atol=atol, **shape
    )


CASES = [
    act("leaky_default", "", data=(2, 3, 5, 7)),
    act("leaky_slope", "act_type='leaky', slope=0.1", data=(3, 17)),
    act("leaky_1d", "act_type='leaky', slope=2.5", data=(11,)),
    act("elu", "act_type='elu'", data=(2, 3, 4)),
    act("elu_slope", "act_type='elu', slope=1.5", data=(2, 7, 3, 3)),
    act("selu", "act_type='selu'", rtol=1e-5, atol=1e-6, data=(2, 9, 5)),
    act("gelu", "act_type='gelu'", rtol=1e-5, atol=1e-6, data=(4, 33)),
    act("prelu", "act_type='prelu'", data=(2, 5, 3, 4)),
    act("prelu_2d", "act_type='prelu'", data=(7, 6)),
    case(
        "prelu_scalar_gamma",
        "gamma = mx.sym.var('gamma', shape=(1,))\nout = mx.sym.LeakyReLU(data, gamma=gamma, act_type='prelu')",
        data=(2, 3, 4),
    ),
    case(
        "prelu_gamma_nc",
        "gamma = mx.sym.var('gamma', shape=(2, 3))\nout = mx.sym.LeakyReLU(data, gamma=gamma, act_type='prelu')",
        data=(2, 3, 4),
    ),
    # MXNet leaves rrelu's mask output unwritten at inference, so only output 0 is compared.
    case(
        "rrelu_output",
        "out = mx.sym.LeakyReLU(data, name='act', act_type='rrelu')[0]",
        data=(2, 3, 5),
    ),
    case(
        "rrelu_bounds",
        "out = mx.sym.LeakyReLU(data, act_type='rrelu', lower_bound=0.2, upper_bound=0.5)[0]",
        data=(4, 9),
    ),
]

CASES2 = [
    # reset_np: MXNet 2 otherwise saves .params in the V3 format mxserve cannot read yet.
    case(
        "npx_leaky_relu_gelu",
        "out = mx.sym.npx.leaky_relu(data.as_np_ndarray(), act_type='gelu').as_nd_ndarray()\nmx.npx.reset_np()",
        rtol=1e-5,
        atol=1e-6,
        data=(3, 4, 5),
    ),
    case(
        "npx_leaky_relu_prelu",
        "g = mx.sym.var('g')\nout = mx.sym.npx.leaky_relu(data.as_np_ndarray(), g.as_np_ndarray(),"
        " act_type='prelu').as_nd_ndarray()\nmx.npx.reset_np()",
        data=(2, 4, 3),
    ),
]

test_leaky_relu = oracle_test(CASES)
test_leaky_relu_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_leaky_relu_rrelu_mask_is_the_inference_slope():
    def patch(sym):
        sym["heads"].append([sym["heads"][0][0], 1, 0])

    got, _ = run_patched(CASES, "rrelu_output", patch)
    assert len(got) == 2
    np.testing.assert_allclose(
        got[1], np.full((2, 3, 5), (0.125 + 0.334) / 2, np.float32), rtol=1e-6
    )


def test_leaky_relu_alias_npx():
    got, want = run_patched(CASES, "prelu", set_op("LeakyReLU", "_npx_leaky_relu"))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)


def test_leaky_relu_rejects_bad_act_type():
    with pytest.raises(mxserve.InvalidArgumentError, match=r"LeakyReLU node 'act'.*act_type"):
        run_patched(CASES, "leaky_default", set_op("LeakyReLU", "LeakyReLU", act_type="swish"))


def test_leaky_relu_rejects_unbroadcastable_gamma():
    # gamma becomes an input of shape (4,), which lines up with neither axis 1 (5) nor axis 0 (2).
    d = run_cases(CASES) / "prelu"
    sym = json.loads((d / "symbol.json").read_text())
    sym["nodes"][1]["name"] = "g2"
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"LeakyReLU node 'act'.*gamma of shape \(4,\) cannot be broadcast",
    ):
        mxserve.Predictor(
            json.dumps(sym), d / "model.params", input_shapes={"data": (2, 5, 3, 4), "g2": (4,)}
        )
