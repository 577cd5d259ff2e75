# SPDX-License-Identifier: Apache-2.0
"""Identity operators (Dropout, BlockGrad, _copy, make_loss, MakeLoss) against MXNet 1.9.1 and
2.0.0b1. They run no kernel: the planner aliases their output to their input, so the graphs chain
them with real operators, with graph inputs and with graph outputs to exercise every alias path."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

CASES = [
    case("dropout_default", "out = mx.sym.Dropout(data)", data=(2, 5)),
    case(
        "dropout_attrs",
        "out = mx.sym.Dropout(data, p=0.3, mode='training', axes=(1,), cudnn_off=True)",
        data=(2, 3, 4),
    ),
    case("dropout_always_p0", "out = mx.sym.Dropout(data, p=0.0, mode='always')", data=(3, 4)),
    case(
        "dropout_between_ops",
        "h = mx.sym.Activation(data, act_type='relu')\n"
        "h = mx.sym.Dropout(h, p=0.5)\n"
        "out = mx.sym.FullyConnected(h, num_hidden=4)",
        data=(3, 7),
    ),
    case("blockgrad", "out = mx.sym.BlockGrad(data)", data=(4, 3)),
    case(
        "stop_gradient",
        "out = mx.sym.stop_gradient(mx.sym.Activation(data, act_type='tanh'))",
        data=(2, 6),
    ),
    case("identity_alias", "out = mx.sym.identity(data)", data=(5,)),
    case(
        "copy_chain",
        "a = mx.sym.Activation(data, act_type='sigmoid')\n"
        "out = mx.sym.Activation(mx.sym._internal._copy(mx.sym.BlockGrad(a)), act_type='relu')",
        data=(2, 3, 5),
    ),
    case(
        "make_loss", "out = mx.sym.make_loss(mx.sym.Activation(data, act_type='relu'))", data=(3, 3)
    ),
    case(
        "MakeLoss_attrs",
        "out = mx.sym.MakeLoss(data, grad_scale=2.0, normalization='batch')",
        data=(2, 4),
    ),
    # One input feeding two identity chains that are both graph outputs.
    case(
        "two_outputs_same_producer",
        "a = mx.sym.Activation(data, act_type='relu')\n"
        "out = mx.sym.Group([mx.sym.BlockGrad(a), mx.sym.Dropout(mx.sym.identity(a))])",
        data=(2, 2),
    ),
    # An identity output that is also read by a later in-place operator.
    case(
        "identity_then_inplace",
        "a = mx.sym.Activation(data, act_type='relu')\n"
        "b = mx.sym.identity(a)\n"
        "out = mx.sym.Group([b, mx.sym.Activation(b, act_type='sigmoid')])",
        data=(3, 4),
    ),
]

test_identity_ops = oracle_test(CASES)

CASES2 = [
    case("npx_dropout", "out = mx.sym.npx.dropout(data.as_np_ndarray(), p=0.2)", data=(2, 3)),
    case(
        "np_copy",
        "out = mx.sym.np.copy(mx.sym.npx.activation(data.as_np_ndarray(), act_type='relu'))",
        data=(3, 4),
    ),
    case("npx_stop_gradient", "out = mx.sym.npx.stop_gradient(data.as_np_ndarray())", data=(4,)),
]

test_identity_ops_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_dropout_rejects_always_mode(tmp_path):
    with pytest.raises(mxserve.MXServeError, match=r"Dropout node 'n'.*mode='always'"):
        one_node(tmp_path, "Dropout", {"p": "0.5", "mode": "always"}, {"data": (2, 3)})


def test_dropout_rejects_bad_p(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Dropout node 'n'.*outside \[0, 1\]"):
        one_node(tmp_path, "Dropout", {"p": "1.5"}, {"data": (2, 3)})


def test_identity_rejects_attribute(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_copy node 'n'.*unknown attribute 'axis'"
    ):
        one_node(tmp_path, "_copy", {"axis": "1"}, {"data": (2, 3)})


def test_identity_of_input_is_graph_output(tmp_path):
    p = one_node(tmp_path, "identity", None, {"data": (2, 3)})
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (y,) = p(data=x)
    np.testing.assert_array_equal(y, x)
