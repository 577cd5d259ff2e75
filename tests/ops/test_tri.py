# SPDX-License-Identifier: Apache-2.0
"""_npi_tril, _npi_triu (attention masks: offsets, batches of matrices, 1-D inputs, int32) and
_npi_diag against MXNet 2.0.0b1."""

import numpy as np
import pytest
from ops._harness import one_node, run_one_node
from oracle.cases import Case, case, oracle_test

import mxserve

A = "a = data.as_np_ndarray()\n"
CASES2 = [
    case("tril", A + "out = mx.sym.np.tril(a)", data=(4, 5)),
    case("tril_k1", A + "out = mx.sym.np.tril(a, 1)", data=(4, 5)),
    case("tril_k_neg", A + "out = mx.sym.np.tril(a, -2)", data=(5, 4)),
    case("tril_k_past_end", A + "out = mx.sym.np.tril(a, 9)", data=(3, 4)),
    case("tril_k_before_start", A + "out = mx.sym.np.tril(a, -9)", data=(3, 4)),
    case("tril_batch", A + "out = mx.sym.np.tril(a, -1)", data=(2, 3, 4, 4)),
    case("tril_1d", A + "out = mx.sym.np.tril(a)", data=(4,)),
    case("triu", A + "out = mx.sym.np.triu(a)", data=(4, 5)),
    case("triu_k1", A + "out = mx.sym.np.triu(a, 1)", data=(4, 4)),
    case("triu_k_neg", A + "out = mx.sym.np.triu(a, -1)", data=(2, 5, 3)),
    case("triu_1d_k", A + "out = mx.sym.np.triu(a, 2)", data=(3,)),
    Case(
        name="tril_int32",
        code=A + "out = mx.sym.np.tril(a)",
        inputs={"data": (4, 4)},
        dtypes={"data": "int32"},
        low=-50,
        high=50,
    ),
    case(
        "causal_mask",
        A + "m = mx.sym.np.tril(a * 0 + 1)\nout = a * m - 1e4 * (1 - m)",
        data=(2, 5, 5),
    ),
    case("diag_of_matrix", A + "out = mx.sym.np.diag(a)", data=(4, 5)),
    case("diag_of_matrix_k", A + "out = mx.sym.np.diag(a, 2)", data=(4, 5)),
    case("diag_of_matrix_k_neg", A + "out = mx.sym.np.diag(a, -1)", data=(4, 5)),
    case("diag_of_vector", A + "out = mx.sym.np.diag(a)", data=(3,)),
    case("diag_of_vector_k", A + "out = mx.sym.np.diag(a, -2)", data=(3,)),
]

test_tri_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_tril_empty(tmp_path):
    (y,) = run_one_node(tmp_path, "_npi_tril", {"k": "0"}, data=np.ones((0, 3, 3), np.float32))
    assert y.shape == (0, 3, 3)


def test_tril_rejects_unknown_attribute(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_tril node 't'.*axis"):
        one_node(tmp_path, "_npi_tril", {"axis": "1"}, {"data": (3, 3)}, name="t")


def test_diag_rejects_3d(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_diag node 't'.*1-D or 2-D"):
        one_node(tmp_path, "_npi_diag", {"k": "0"}, {"data": (2, 3, 3)}, name="t")


def test_triu_rejects_scalar(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_triu node 't'.*at least one axis"
    ):
        one_node(tmp_path, "_npi_triu", {}, {"data": ()}, name="t", version="2.0.0")
