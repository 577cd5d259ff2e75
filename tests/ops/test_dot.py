# SPDX-License-Identifier: Apache-2.0
"""dot (2-D, N-D folding, 1-D cases, every transpose, parameter weights) and batch_dot (3-D and
4-D, transposes) against MXNet 1.9.1, and _npx_batch_dot from MXNet 2.0.0b1."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

T = dict(rtol=1e-4, atol=1e-5)
D = "out = mx.sym.dot(a, b{})"
BD = "out = mx.sym.batch_dot(a, b{})"

CASES = [
    case("dot_2d", D.format(""), a=(3, 5), b=(5, 4), **T),
    case("dot_ta", D.format(", transpose_a=True"), a=(5, 3), b=(5, 4), **T),
    case("dot_tb", D.format(", transpose_b=True"), a=(3, 5), b=(4, 5), **T),
    case("dot_ta_tb", D.format(", transpose_a=True, transpose_b=True"), a=(5, 3), b=(4, 5), **T),
    case("dot_1d_1d", D.format(""), a=(7,), b=(7,), **T),
    case("dot_1d_2d", D.format(""), a=(6,), b=(6, 3), **T),
    case("dot_2d_1d", D.format(""), a=(4, 6), b=(6,), **T),
    case("dot_2d_1d_tb", D.format(", transpose_b=True"), a=(4, 6), b=(6,), **T),
    case("dot_1d_ta", D.format(", transpose_a=True"), a=(6,), b=(6, 2), **T),
    case("dot_nd", D.format(""), a=(2, 3, 4), b=(4, 5, 2), **T),
    case("dot_nd_ta", D.format(", transpose_a=True"), a=(4, 2, 3), b=(4, 5), **T),
    case("dot_nd_tb", D.format(", transpose_b=True"), a=(2, 3, 4), b=(5, 2, 4), **T),
    case("dot_large", D.format(""), a=(33, 70), b=(70, 65), **T),
    case(
        "dot_param_weight",
        "w = mx.sym.var('w', shape=(8, 5))\nout = mx.sym.dot(a, w)",
        a=(3, 8),
        **T,
    ),
    case(
        "dot_param_weight_tb",
        "w = mx.sym.var('w', shape=(6, 8))\nout = mx.sym.dot(a, w, transpose_b=True)",
        a=(2, 4, 8),
        **T,
    ),
    case("batch_dot_3d", BD.format(""), a=(2, 3, 5), b=(2, 5, 4), **T),
    case("batch_dot_ta", BD.format(", transpose_a=True"), a=(3, 5, 2), b=(3, 5, 4), **T),
    case("batch_dot_tb", BD.format(", transpose_b=True"), a=(3, 2, 5), b=(3, 4, 5), **T),
    case(
        "batch_dot_ta_tb",
        BD.format(", transpose_a=True, transpose_b=True"),
        a=(2, 5, 3),
        b=(2, 4, 5),
        **T,
    ),
    case("batch_dot_4d", BD.format(""), a=(2, 3, 4, 6), b=(2, 3, 6, 5), **T),
    case("batch_dot_one", BD.format(""), a=(1, 1, 7), b=(1, 7, 1), **T),
    case("batch_dot_large", BD.format(", transpose_b=True"), a=(4, 40, 64), b=(4, 40, 64), **T),
]

test_dot = oracle_test(CASES)

N = "x = a.as_np_ndarray()\ny = b.as_np_ndarray()\n"
CASES2 = [
    case("npx_batch_dot", N + "out = mx.sym.npx.batch_dot(x, y)", a=(2, 3, 4), b=(2, 4, 5), **T),
    case(
        "npx_batch_dot_tb",
        N + "out = mx.sym.npx.batch_dot(x, y, transpose_b=True)",
        a=(3, 2, 4),
        b=(3, 5, 4),
        **T,
    ),
]

test_dot_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_dot_rejects_shape_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"dot node 'n'.*shape mismatch"):
        one_node(tmp_path, "dot", {}, {"lhs": (2, 3), "rhs": (4, 5)})


def test_dot_rejects_transposed_vectors(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"dot node 'n'.*vectors cannot"):
        one_node(tmp_path, "dot", {"transpose_a": "True"}, {"lhs": (3,), "rhs": (3,)})


def test_batch_dot_rejects_2d(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"batch_dot node 'n'.*rank >= 3"):
        one_node(tmp_path, "batch_dot", {}, {"lhs": (2, 3), "rhs": (3, 2)})


def test_batch_dot_rejects_batch_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"batch_dot node 'n'.*batch dims"):
        one_node(tmp_path, "batch_dot", {}, {"lhs": (2, 3, 4), "rhs": (3, 4, 2)})


def test_dot_rejects_int_inputs(tmp_path):
    with pytest.raises(mxserve.UnsupportedError, match=r"dot node 'n'.*float32"):
        one_node(
            tmp_path,
            "dot",
            {},
            {"lhs": (2, 3), "rhs": (3, 2)},
            dtypes={"lhs": "int32", "rhs": "int32"},
        )


def test_dot_param_weight_shared(tmp_path):
    """A parameter used both plainly and transposed is prepacked twice, not confused."""
    import json

    import numpy as np

    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 4)).astype(np.float32)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    sym = {
        "nodes": [
            {"op": "null", "name": "x", "inputs": []},
            {"op": "null", "name": "w", "inputs": []},
            {"op": "dot", "name": "d1", "inputs": [[0, 0, 0], [1, 0, 0]]},
            {
                "op": "dot",
                "name": "d2",
                "attrs": {"transpose_b": "True"},
                "inputs": [[0, 0, 0], [1, 0, 0]],
            },
        ],
        "arg_nodes": [0, 1],
        "heads": [[2, 0, 0], [3, 0, 0]],
    }
    mxserve.nd.save(tmp_path / "w.params", {"arg:w": w})
    p = mxserve.Predictor(json.dumps(sym), tmp_path / "w.params", input_shapes={"x": (3, 4)})
    y1, y2 = p(x=x)
    np.testing.assert_allclose(y1, x @ w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y2, x @ w.T, rtol=1e-5, atol=1e-5)
