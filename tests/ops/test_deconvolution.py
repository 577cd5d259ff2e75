# SPDX-License-Identifier: Apache-2.0
"""Deconvolution against MXNet 1.9.1: 1-D/2-D/3-D, padding, strides, dilation, adj,
target_shape, groups, bias."""

import json

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

D = "out = mx.sym.Deconvolution(data, {})"
CASES = [
    case("deconv2d_basic", D.format("kernel=(3, 3), num_filter=4"), data=(1, 3, 5, 5)),
    case(
        "deconv2d_stride_pad",
        D.format("kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=5, no_bias=False"),
        data=(2, 3, 6, 7),
    ),
    case(
        "deconv2d_adj",
        D.format("kernel=(3, 3), stride=(2, 2), pad=(1, 1), adj=(1, 1), num_filter=4"),
        data=(1, 4, 5, 5),
    ),
    case(
        "deconv2d_adj_beyond_pad",
        D.format("kernel=(3, 2), stride=(2, 3), adj=(1, 2), num_filter=3, no_bias=False"),
        data=(1, 2, 4, 3),
    ),
    case(
        "deconv2d_target_shape",
        D.format("kernel=(4, 4), stride=(2, 2), pad=(1, 1), target_shape=(12, 12), num_filter=3"),
        data=(1, 2, 6, 6),
    ),
    case(
        "deconv2d_dilate",
        D.format("kernel=(3, 3), dilate=(2, 2), pad=(1, 2), num_filter=4, no_bias=False"),
        data=(1, 3, 6, 6),
    ),
    case(
        "deconv2d_groups",
        D.format("kernel=(3, 3), stride=(2, 2), num_group=2, num_filter=6, no_bias=False"),
        data=(2, 4, 5, 5),
    ),
    case(
        "deconv2d_depthwise_bilinear_like",
        D.format("kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_group=8, num_filter=8"),
        data=(1, 8, 5, 5),
    ),
    case(
        "deconv2d_simple_pose_head",
        D.format("kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=16"),
        data=(2, 32, 4, 3),
        rtol=1e-4,
    ),
    case(
        "deconv1d",
        D.format("kernel=(3,), stride=(2,), pad=(1,), adj=(1,), num_filter=4, no_bias=False"),
        data=(2, 3, 7),
    ),
    case(
        "deconv3d",
        D.format("kernel=(2, 3, 3), stride=(2, 1, 2), pad=(0, 1, 1), num_filter=3, no_bias=False"),
        data=(1, 2, 3, 4, 4),
    ),
    case(
        "deconv2d_after_relu",
        "out = mx.sym.Deconvolution(mx.sym.relu(mx.sym.Convolution(data, kernel=(3, 3), "
        "num_filter=8, pad=(1, 1))), kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=4)",
        data=(1, 3, 8, 8),
        rtol=1e-4,
    ),
    case(
        "deconv2d_stride_equals_kernel",
        "out = mx.sym.Deconvolution(data, kernel=(2, 2), stride=(2, 2), num_filter=2)",
        data=(1, 2, 3, 3),
    ),
]

test_deconvolution = oracle_test(CASES)

CASES2 = [
    case(
        "npx_deconvolution",
        "out = mx.sym.npx.deconvolution(data.as_np_ndarray(), mx.sym.var('weight').as_np_ndarray(),"
        " kernel=(3, 3), stride=(2, 2), pad=(1, 1), adj=(1, 1), num_filter=4, no_bias=True)",
        data=(2, 3, 5, 4),
    ),
]

test_deconvolution_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _w(shape):
    return np.zeros(shape, np.float32)


def test_deconvolution_npx_name(tmp_path):
    p = one_node(
        tmp_path,
        "_npx_deconvolution",
        {"kernel": "(2, 2)", "stride": "(2, 2)", "num_filter": "3"},
        {"data": (1, 2, 3, 3)},
        params={"weight": np.ones((2, 3, 2, 2), np.float32)},
    )
    (y,) = p(data=np.ones((1, 2, 3, 3), np.float32))
    assert y.shape == (1, 3, 6, 6)
    np.testing.assert_allclose(y, np.full((1, 3, 6, 6), 2.0, np.float32))


def test_deconvolution_rejects_large_adj(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Deconvolution node 'n'.*adj 2"):
        one_node(
            tmp_path,
            "Deconvolution",
            {"kernel": "(3, 3)", "stride": "(2, 2)", "adj": "(2, 2)", "num_filter": "2"},
            {"data": (1, 2, 4, 4)},
            params={"weight": _w((2, 2, 3, 3))},
        )


def test_deconvolution_rejects_weight_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Deconvolution node 'n'.*weight"):
        one_node(
            tmp_path,
            "Deconvolution",
            {"kernel": "(3, 3)", "num_filter": "4"},
            {"data": (1, 2, 4, 4)},
            params={"weight": _w((4, 2, 3, 3))},
        )


def test_deconvolution_rejects_large_target_shape(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Deconvolution node 'n'.*target_shape"):
        one_node(
            tmp_path,
            "Deconvolution",
            {"kernel": "(3, 3)", "num_filter": "2", "target_shape": "(9, 9)"},
            {"data": (1, 2, 4, 4)},
            params={"weight": _w((2, 2, 3, 3))},
        )


def test_deconvolution_rejects_nhwc(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"Deconvolution node 'n'.*layout NHWC"):
        one_node(
            tmp_path,
            "Deconvolution",
            {"kernel": "(3, 3)", "num_filter": "2", "layout": "NHWC"},
            {"data": (1, 2, 4, 4)},
            params={"weight": _w((2, 2, 3, 3))},
        )


def test_deconvolution_rejects_computed_weight(tmp_path):
    sym = {
        "nodes": [
            {"op": "null", "name": "data", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {"op": "_mul_scalar", "name": "w2", "attrs": {"scalar": "2"}, "inputs": [[1, 0, 0]]},
            {
                "op": "Deconvolution",
                "name": "n",
                "attrs": {"kernel": "(2, 2)", "num_filter": "2"},
                "inputs": [[0, 0, 0], [2, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[3, 0, 0]],
    }
    params = tmp_path / "m.params"
    mxserve.nd.save(params, {})
    with pytest.raises(mxserve.UnsupportedError, match=r"Deconvolution node 'n'.*parameter"):
        mxserve.Predictor(
            json.dumps(sym), params, input_shapes={"data": (1, 2, 3, 3), "w": (2, 2, 2, 2)}
        )


def test_deconvolution_rejects_3d_dilation(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Deconvolution node 'n'.*dilate"):
        one_node(
            tmp_path,
            "Deconvolution",
            {"kernel": "(2, 2, 2)", "dilate": "(2, 2, 2)", "num_filter": "2"},
            {"data": (1, 2, 3, 3, 3)},
            params={"weight": _w((2, 2, 2, 2, 2))},
        )
