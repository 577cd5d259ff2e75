# SPDX-License-Identifier: Apache-2.0
"""The interleaved attention products (_contrib_interleaved_matmul_selfatt_qk / _valatt,
_encdec_qk / _valatt) and _contrib_div_sqrt_dim against MXNet 1.9.1 and the _npx_ names of
2.0.0b1: one and several heads, batch 1 and more, a whole self-attention block."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve

T = dict(rtol=1e-4, atol=1e-5)
C = "mx.sym.contrib."

CASES = [
    case(
        "selfatt_qk_1head",
        f"out = {C}interleaved_matmul_selfatt_qk(qkv, heads=1)",
        qkv=(4, 1, 6),
        **T,
    ),
    case(
        "selfatt_qk_2heads",
        f"out = {C}interleaved_matmul_selfatt_qk(qkv, heads=2)",
        qkv=(5, 3, 24),
        **T,
    ),
    case(
        "selfatt_qk_12heads",
        f"out = {C}interleaved_matmul_selfatt_qk(qkv, heads=12)",
        qkv=(16, 2, 3 * 96),
        **T,
    ),
    case(
        "selfatt_valatt_2heads",
        f"out = {C}interleaved_matmul_selfatt_valatt(qkv, att, heads=2)",
        qkv=(5, 3, 24),
        att=(6, 5, 5),
        **T,
    ),
    case(
        "selfatt_valatt_1head",
        f"out = {C}interleaved_matmul_selfatt_valatt(qkv, att, heads=1)",
        qkv=(3, 1, 9),
        att=(1, 3, 3),
        **T,
    ),
    case(
        "encdec_qk_2heads",
        f"out = {C}interleaved_matmul_encdec_qk(q, kv, heads=2)",
        q=(4, 2, 8),
        kv=(6, 2, 16),
        **T,
    ),
    case(
        "encdec_valatt_2heads",
        f"out = {C}interleaved_matmul_encdec_valatt(kv, att, heads=2)",
        kv=(6, 2, 16),
        att=(4, 4, 6),
        **T,
    ),
    case(
        "encdec_valatt_4heads",
        f"out = {C}interleaved_matmul_encdec_valatt(kv, att, heads=4)",
        kv=(3, 1, 32),
        att=(4, 7, 3),
        **T,
    ),
    case(
        "selfatt_block",
        "qkv = mx.sym.FullyConnected(x, num_hidden=48, flatten=False)\n"
        f"s = {C}interleaved_matmul_selfatt_qk(qkv, heads=4)\n"
        "a = mx.sym.softmax(s, axis=-1)\n"
        f"out = {C}interleaved_matmul_selfatt_valatt(qkv, a, heads=4)",
        x=(7, 2, 16),
        **T,
    ),
    case("div_sqrt_dim", f"out = {C}div_sqrt_dim(data)", data=(2, 3, 16), **T),
    case("div_sqrt_dim_odd", f"out = {C}div_sqrt_dim(data)", data=(5, 7), **T),
]

test_interleaved_matmul = oracle_test(CASES)

NP = "mx.sym.npx."
CASES2 = [
    case(
        "npx_selfatt_qk",
        f"out = {NP}interleaved_matmul_selfatt_qk(qkv.as_np_ndarray(), heads=2)",
        qkv=(4, 2, 12),
        **T,
    ),
    case(
        "npx_selfatt_valatt",
        "q = qkv.as_np_ndarray()\n"
        f"out = {NP}interleaved_matmul_selfatt_valatt(q, att.as_np_ndarray(), heads=2)",
        qkv=(4, 2, 12),
        att=(4, 4, 4),
        **T,
    ),
    case(
        "npx_encdec_qk",
        f"out = {NP}interleaved_matmul_encdec_qk(q.as_np_ndarray(), kv.as_np_ndarray(), heads=2)",
        q=(3, 2, 8),
        kv=(5, 2, 16),
        **T,
    ),
    case(
        "npx_encdec_valatt",
        "k = kv.as_np_ndarray()\n"
        f"out = {NP}interleaved_matmul_encdec_valatt(k, att.as_np_ndarray(), heads=2)",
        kv=(5, 2, 16),
        att=(4, 3, 5),
        **T,
    ),
]

test_interleaved_matmul_mx2 = oracle_test(CASES2, version="2.0.0b1")


def test_selfatt_qk_rejects_2d(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"_contrib_interleaved_matmul_selfatt_qk node 'n'.*must be 3-D",
    ):
        one_node(
            tmp_path, "_contrib_interleaved_matmul_selfatt_qk", {"heads": "2"}, {"qkv": (4, 12)}
        )


def test_selfatt_qk_rejects_indivisible_heads(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"_contrib_interleaved_matmul_selfatt_qk node 'n'.*not a multiple of 3 x heads",
    ):
        one_node(
            tmp_path, "_contrib_interleaved_matmul_selfatt_qk", {"heads": "5"}, {"qkv": (4, 1, 12)}
        )


def test_selfatt_valatt_rejects_bad_attention(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"_contrib_interleaved_matmul_selfatt_valatt node 'n'.*attention has shape",
    ):
        one_node(
            tmp_path,
            "_contrib_interleaved_matmul_selfatt_valatt",
            {"heads": "2"},
            {"qkv": (4, 1, 12), "att": (2, 4, 5)},
        )


def test_encdec_qk_rejects_bad_kv(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"_contrib_interleaved_matmul_encdec_qk node 'n'.*twice the features",
    ):
        one_node(
            tmp_path,
            "_contrib_interleaved_matmul_encdec_qk",
            {"heads": "2"},
            {"q": (3, 2, 8), "kv": (5, 2, 8)},
        )


def test_interleaved_rejects_missing_heads(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError,
        match=r"_contrib_interleaved_matmul_selfatt_qk node 'n'.*heads",
    ):
        one_node(tmp_path, "_contrib_interleaved_matmul_selfatt_qk", {}, {"qkv": (4, 1, 12)})
