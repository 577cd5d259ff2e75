# SPDX-License-Identifier: Apache-2.0
"""Embedding against MXNet 1.9.1 and 2.0.0b1: int32/int64/float32/float16 indices, out-of-range
indices (clipped to [0, input_dim - 1] like MXNet's CPU kernel), N-D indices, float16 weights."""

import pytest
from ops._harness import one_node
from oracle.cases import Case, oracle_test

import mxserve

E = "out = mx.sym.Embedding(data, input_dim={}, output_dim={}{})"


def _case(name, shape, dtype, low, high, input_dim=10, output_dim=4, extra=""):
    return Case(
        name=name,
        code=E.format(input_dim, output_dim, extra),
        inputs={"data": shape},
        dtypes={"data": dtype},
        low=low,
        high=high,
    )


CASES = [
    _case("embedding_int32", (2, 5), "int32", 0, 9),
    _case("embedding_int64", (7,), "int64", 0, 9),
    _case("embedding_int32_clip", (4, 6), "int32", -5, 15),
    _case("embedding_int64_clip", (3, 2, 4), "int64", -20, 30, input_dim=7, output_dim=3),
    # Float indices are truncated towards zero, then clipped.
    _case("embedding_float32", (3, 8), "float32", -3.0, 13.0),
    _case("embedding_float16", (2, 6), "float16", -2.0, 11.0),
    _case("embedding_one_row", (5,), "int32", -2, 3, input_dim=1, output_dim=6),
    _case("embedding_sparse_grad", (2, 3), "int32", 0, 9, extra=", sparse_grad=True"),
    _case("embedding_wide", (2, 3), "int32", 0, 49, input_dim=50, output_dim=130),
    Case(
        name="embedding_weight_f16",
        code="w = mx.sym.var('w', dtype='float16')\n"
        "out = mx.sym.Embedding(data, w, input_dim=6, output_dim=5, dtype='float16')",
        inputs={"data": (3, 4)},
        dtypes={"data": "int32"},
        low=-1,
        high=7,
    ),
    Case(
        name="embedding_then_sum",
        code="out = mx.sym.sum(mx.sym.Embedding(data, input_dim=12, output_dim=3), axis=1)",
        inputs={"data": (2, 5)},
        dtypes={"data": "int32"},
        low=0,
        high=11,
    ),
]

test_embedding = oracle_test(CASES)

CASES2 = [
    Case(
        name="npx_embedding",
        code="x = data.as_np_ndarray()\n"
        "w = mx.sym.var('w').as_np_ndarray()\n"
        "out = mx.sym.npx.embedding(x, w, input_dim=9, output_dim=3)",
        inputs={"data": (2, 4)},
        dtypes={"data": "int32"},
        low=-2,
        high=11,
    ),
]

test_embedding_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_embedding_rejects_bad_weight_shape(tmp_path):
    import numpy as np

    with pytest.raises(mxserve.InvalidArgumentError, match=r"Embedding node 'n'.*weight has shape"):
        one_node(
            tmp_path,
            "Embedding",
            {"input_dim": "10", "output_dim": "4"},
            {"data": (2, 3)},
            params={"weight": np.zeros((10, 5), np.float32)},
        )


def test_embedding_rejects_zero_input_dim(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Embedding node 'n'.*input_dim"):
        one_node(tmp_path, "Embedding", {"input_dim": "0", "output_dim": "4"}, {"data": (2, 3)})


def test_embedding_rejects_unknown_attr(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"Embedding node 'n'.*bogus"):
        one_node(
            tmp_path,
            "Embedding",
            {"input_dim": "3", "output_dim": "4", "bogus": "1"},
            {"data": (2, 3)},
        )
