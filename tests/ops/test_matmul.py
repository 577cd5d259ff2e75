# SPDX-License-Identifier: Apache-2.0
"""_npi_matmul (numpy.matmul: 1-D operands, batch broadcasting, empty axes, parameter weights)
against MXNet 2.0.0b1."""

import numpy as np
import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

M = "a = lhs.as_np_ndarray()\nb = rhs.as_np_ndarray()\nout = mx.sym.np.matmul(a, b)"
CASES2 = [
    case("matmul_2d", M, lhs=(3, 4), rhs=(4, 5)),
    case("matmul_vec_vec", M, lhs=(4,), rhs=(4,)),
    case("matmul_vec_mat", M, lhs=(4,), rhs=(4, 5)),
    case("matmul_mat_vec", M, lhs=(3, 4), rhs=(4,)),
    case("matmul_batch_vec", M, lhs=(2, 3, 4), rhs=(4,)),
    case("matmul_vec_batch", M, lhs=(4,), rhs=(2, 4, 3)),
    case("matmul_batch", M, lhs=(2, 3, 4, 5), rhs=(2, 3, 5, 6)),
    case("matmul_broadcast_rhs", M, lhs=(2, 3, 4, 5), rhs=(5, 6)),
    case("matmul_broadcast_both", M, lhs=(2, 1, 4, 5), rhs=(1, 3, 5, 2)),
    case("matmul_broadcast_lhs", M, lhs=(4, 5), rhs=(3, 5, 2)),
    case("matmul_empty_k", M, lhs=(2, 3, 0), rhs=(0, 4)),
    case("matmul_empty_batch", M, lhs=(0, 3, 4), rhs=(4, 2)),
    case("matmul_big", M, 1e-4, 1e-4, lhs=(2, 64, 96), rhs=(2, 96, 80)),
    # A parameter right operand (x @ W) is prepacked.
    case(
        "matmul_param_weight",
        "w = mx.sym.var('w', shape=(24, 40)).as_np_ndarray()\n"
        "out = mx.sym.np.matmul(lhs.as_np_ndarray(), w)",
        1e-4,
        1e-4,
        lhs=(2, 7, 24),
    ),
    case(
        "matmul_param_batched_weight",
        "w = mx.sym.var('w', shape=(3, 8, 5)).as_np_ndarray()\n"
        "out = mx.sym.np.matmul(lhs.as_np_ndarray(), w)",
        lhs=(3, 4, 8),
    ),
]

test_matmul_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, a, b):
    return one_node(tmp_path, "_npi_matmul", {}, {"a": a, "b": b}, name="mm")


def test_matmul_rejects_misaligned(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_matmul node 'mm'.*not aligned"):
        _predictor(tmp_path, (3, 4), (5, 6))


def test_matmul_rejects_batch_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_matmul node 'mm'.*broadcast"):
        _predictor(tmp_path, (2, 3, 4), (3, 4, 5))


def test_matmul_rejects_scalar(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_matmul node 'mm'.*scalar"):
        one_node(tmp_path, "_npi_matmul", {}, {"a": (), "b": (3,)}, name="mm", version="2.0.0")


def test_matmul_rejects_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_matmul node 'mm'.*transpose"):
        one_node(tmp_path, "_npi_matmul", {"transpose": "1"}, {"a": (3, 4), "b": (4, 5)}, name="mm")


def test_matmul_prepacks_parameter_weight(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 24)).astype(np.float32)
    b = rng.uniform(-1, 1, (24, 40)).astype(np.float32)
    p = one_node(tmp_path, "_npi_matmul", {}, {"a": a.shape}, params={"b": b}, name="mm")
    assert p.info()["prepacked_weight_bytes"] > 0
    (y,) = p(a=a)
    np.testing.assert_allclose(y, a @ b, rtol=1e-5, atol=1e-5)
