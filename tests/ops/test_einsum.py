# SPDX-License-Identifier: Apache-2.0
"""_npi_einsum against MXNet 2.0.0b1: the attention contractions that run as one batched GEMM,
and the general strided loop (one and three operands, implicit output, ellipsis, diagonals,
sums within one operand, size-1 broadcasting, transposed outputs)."""

import pytest
from ops._harness import one_node
from oracle.cases import case, oracle_test

import mxserve


def e(subscripts, n=2):
    names = ["lhs", "rhs", "third"][:n]
    ops = ", ".join(f"{v}.as_np_ndarray()" for v in names)
    return f"out = mx.sym.np.einsum({subscripts!r}, {ops})"


CASES2 = [
    case("einsum_attention_scores", e("bhqd,bhkd->bhqk"), lhs=(2, 3, 5, 4), rhs=(2, 3, 6, 4)),
    case("einsum_attention_context", e("bhqk,bhkd->bhqd"), lhs=(2, 3, 5, 6), rhs=(2, 3, 6, 4)),
    case("einsum_bqhd_layout", e("bqhd,bkhd->bhqk"), lhs=(2, 5, 3, 4), rhs=(2, 6, 3, 4)),
    case("einsum_matmul", e("ij,jk->ik"), lhs=(3, 4), rhs=(4, 5)),
    case("einsum_matmul_implicit", e("ij,jk"), lhs=(3, 4), rhs=(4, 5)),
    case("einsum_transposed_out", e("ij,jk->ki"), lhs=(3, 4), rhs=(4, 5)),
    case("einsum_outer", e("i,j->ij"), lhs=(3,), rhs=(4,)),
    case("einsum_dot", e("i,i->"), lhs=(5,), rhs=(5,)),
    case("einsum_batch_only", e("bi,bi->bi"), lhs=(3, 4), rhs=(3, 4)),
    case("einsum_sum_one_side", e("ij,k->ik"), lhs=(3, 4), rhs=(5,)),
    case("einsum_ellipsis", e("...ij,...jk->...ik"), lhs=(2, 3, 4), rhs=(2, 4, 5)),
    case("einsum_ellipsis_broadcast", e("...ij,...jk->...ik"), lhs=(2, 1, 3, 4), rhs=(5, 4, 2)),
    case("einsum_size1_broadcast", e("bij,bjk->bik"), lhs=(1, 3, 4), rhs=(2, 4, 5)),
    case("einsum_transpose", e("ijk->kij", 1), lhs=(2, 3, 4)),
    case("einsum_trace", e("ii->", 1), lhs=(4, 4)),
    case("einsum_diagonal", e("ii->i", 1), lhs=(4, 4)),
    case("einsum_reduce", e("ijk->j", 1), lhs=(2, 3, 4)),
    case("einsum_implicit_one", e("ji", 1), lhs=(2, 3)),
    case("einsum_implicit_upper_case", e("aB,Bc", 2), lhs=(2, 3), rhs=(3, 4)),
    case("einsum_implicit_mixed_case", e("bA", 1), lhs=(2, 3)),
    case("einsum_three", e("ij,jk,kl->il", 3), lhs=(2, 3), rhs=(3, 4), third=(4, 5)),
    case(
        "einsum_spaces_optimize",
        "out = mx.sym.np.einsum(' bij , bjk -> bik ', lhs.as_np_ndarray(), rhs.as_np_ndarray(),"
        " optimize=True)",
        lhs=(2, 3, 4),
        rhs=(2, 4, 5),
    ),
    case("einsum_big", e("bhqd,bhkd->bhqk"), 1e-4, 1e-4, lhs=(2, 4, 32, 16), rhs=(2, 4, 48, 16)),
]

test_einsum_mx2 = oracle_test(CASES2, version="2.0.0b1")


def _predictor(tmp_path, subscripts, *shapes):
    inputs = {f"arg{i}": s for i, s in enumerate(shapes)}
    attrs = {"subscripts": subscripts, "num_args": str(len(shapes))}
    return one_node(tmp_path, "_npi_einsum", attrs, inputs, name="es")


def test_einsum_rejects_rank_mismatch(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_einsum node 'es'.*2 labels"):
        _predictor(tmp_path, "ij,jk->ik", (3, 4, 5), (4, 5))


def test_einsum_rejects_size_mismatch(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_einsum node 'es'.*does not match"
    ):
        _predictor(tmp_path, "ij,jk->ik", (3, 4), (5, 6))


def test_einsum_rejects_term_count(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_einsum node 'es'.*3 terms"):
        _predictor(tmp_path, "ij,jk,kl->il", (3, 4), (4, 5))


def test_einsum_rejects_unknown_output_label(tmp_path):
    with pytest.raises(mxserve.InvalidArgumentError, match=r"_npi_einsum node 'es'.*output label"):
        _predictor(tmp_path, "ij,jk->iz", (3, 4), (4, 5))


def test_einsum_rejects_bad_character(tmp_path):
    with pytest.raises(
        mxserve.InvalidArgumentError, match=r"_npi_einsum node 'es'.*invalid character"
    ):
        _predictor(tmp_path, "i1,jk->ik", (3, 4), (4, 5))
