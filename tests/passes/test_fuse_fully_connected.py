# SPDX-License-Identifier: Apache-2.0
"""fuse_fully_connected: GELU (LeakyReLU gelu) and relu/sigmoid/tanh Activations after a
FullyConnected, dot or batch_dot run as inner product / matmul post-ops, with MXNet's numbers;
other consumers and requested outputs stay separate."""

import numpy as np
import pytest
from oracle.cases import case, check_case, run_cases

import mxserve

T = dict(rtol=1e-4, atol=1e-5)
CASES = [
    case(
        "fc_gelu",
        "f = mx.sym.FullyConnected(data, num_hidden=24, flatten=False, name='fc')\n"
        "out = mx.sym.LeakyReLU(f, act_type='gelu', name='g')",
        data=(2, 5, 16),
        **T,
    ),
    case(
        "fc_relu_no_bias",
        "f = mx.sym.FullyConnected(data, num_hidden=10, no_bias=True, name='fc')\n"
        "out = mx.sym.Activation(f, act_type='relu', name='r')",
        data=(3, 12),
        **T,
    ),
    case(
        "fc_tanh_then_fc",
        "f = mx.sym.FullyConnected(data, num_hidden=8, name='fc')\n"
        "t = mx.sym.Activation(f, act_type='tanh', name='t')\n"
        "out = mx.sym.FullyConnected(t, num_hidden=3, name='fc2')",
        data=(4, 6),
        **T,
    ),
    case(
        "dot_gelu",
        "w = mx.sym.var('w', shape=(8, 12))\n"
        "d = mx.sym.dot(data, w, name='d')\n"
        "out = mx.sym.LeakyReLU(d, act_type='gelu', name='g')",
        data=(2, 3, 8),
        **T,
    ),
    case(
        "batch_dot_sigmoid",
        "d = mx.sym.batch_dot(data, b, transpose_b=True, name='d')\n"
        "out = mx.sym.Activation(d, act_type='sigmoid', name='s')",
        data=(2, 4, 5),
        b=(2, 3, 5),
        **T,
    ),
    case(
        "fc_two_consumers",
        "f = mx.sym.FullyConnected(data, num_hidden=8, name='fc')\n"
        "g = mx.sym.LeakyReLU(f, act_type='gelu', name='g')\n"
        "out = mx.sym.elemwise_add(g, f, name='add')",
        data=(2, 6),
        **T,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_fused_matches_mxnet(c):
    check_case(c, run_cases(CASES))


def _info(name, **kw):
    d = run_cases(CASES) / name
    with np.load(d / "inputs.npz") as f:
        shapes = {k: f[k].shape for k in f.files}
    return mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes=shapes, **kw
    ).info()


def test_gelu_is_fused():
    # The FullyConnected and its activation become one fused node.
    assert _info("fc_gelu")["ops"] == {"_sg_mkldnn_fully_connected": 1}


def test_dot_and_batch_dot_absorb_activations():
    assert _info("dot_gelu")["ops"] == {"dot": 1}
    assert _info("batch_dot_sigmoid")["ops"] == {"batch_dot": 1}


def test_tanh_between_two_fcs_is_fused():
    assert _info("fc_tanh_then_fc")["ops"] == {
        "_sg_mkldnn_fully_connected": 1,
        "FullyConnected": 1,
    }


def test_shared_output_is_not_fused():
    assert _info("fc_two_consumers")["ops"] == {
        "FullyConnected": 1,
        "LeakyReLU": 1,
        "elemwise_add": 1,
    }


def test_requested_intermediate_is_not_fused_away():
    info = _info("fc_gelu", outputs=["fc_output", "g_output"])
    assert info["ops"] == {"FullyConnected": 1, "LeakyReLU": 1}
