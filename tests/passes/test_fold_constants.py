# SPDX-License-Identifier: Apache-2.0
"""fold_constants: parameter-only subgraphs are computed once at bind time, with MXNet's numbers."""

import pytest
from oracle.cases import case, check_case, run_cases

import mxserve

CASES = [
    case(
        "scaled_weight",
        "w = mx.sym.var('w')\n"
        "out = mx.sym.FullyConnected(data, weight=w * 2.0, num_hidden=4, no_bias=True, name='fc')",
        data=(3, 5),
    ),
    case(
        "transposed_reshaped_weight",
        "w = mx.sym.var('w', shape=(20,))\n"
        "wt = mx.sym.transpose(mx.sym.reshape(w, shape=(5, 4)))\n"
        "out = mx.sym.FullyConnected(data, weight=wt, num_hidden=4, no_bias=True, name='fc')",
        data=(2, 5),
    ),
    case(
        "scaled_conv_weight_then_bn",
        "w = mx.sym.var('w')\n"
        "c = mx.sym.Convolution(data, weight=mx.sym.exp(w), kernel=(3, 3), num_filter=3, no_bias=True, name='c')\n"
        "out = mx.sym.BatchNorm(c, fix_gamma=False, name='bn')",
        data=(1, 2, 6, 6),
        rtol=1e-4,
        atol=1e-5,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_folded_matches_mxnet(c):
    check_case(c, run_cases(CASES))


def test_parameter_only_nodes_leave_the_plan():
    d = run_cases(CASES) / "scaled_weight"
    p = mxserve.Predictor(d / "symbol.json", d / "model.params", input_shapes={"data": (3, 5)})
    assert p.info()["ops"] == {"FullyConnected": 1}
    d = run_cases(CASES) / "scaled_conv_weight_then_bn"
    p = mxserve.Predictor(
        d / "symbol.json", d / "model.params", input_shapes={"data": (1, 2, 6, 6)}
    )
    assert p.info()["ops"] == {"_sg_mkldnn_conv": 1}
