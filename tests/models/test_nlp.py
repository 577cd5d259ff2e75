# SPDX-License-Identifier: Apache-2.0
"""GluonNLP 0.10 exports with random weights against MXNet 1.9.1 (tests/oracle/recipes/nlp.py):
a 2-layer BERT (seq 32) by default; BERT-base (encoder with pooler, and BERTClassifier) and
DistilBERT at seq 128 are slow. Inputs: int32 token ids and types, float32 valid lengths."""

import numpy as np
import pytest
from oracle.gluon import batch_io, check_gluon_model, gluon_model, load_io

import mxserve

SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "name",
    [
        "bert_small",
        pytest.param("bert_12_768_12", marks=SLOW),
        pytest.param("bert_12_768_12_classifier", marks=SLOW),
        pytest.param("distilbert_6_768_12", marks=SLOW),
    ],
)
def test_nlp_model(name: str) -> None:
    check_gluon_model("nlp", name, rtol=1e-3, atol=1e-4)


def test_nlp_bert_small_bfloat16() -> None:
    """bfloat16 mode on the 2-layer BERT: attention products, masked softmax, LayerNorm and the
    fused FullyConnected+GELU in bfloat16, outputs within 3 % of MXNet's float32 (relative to
    the largest value, the tolerance of tests/test_bfloat16.py)."""
    d = gluon_model("nlp", "bert_small")
    meta, io = load_io(d)
    x, want = batch_io(meta, io, 2)
    try:
        p = mxserve.Predictor.load(
            d / "model",
            0,
            input_shapes={k: v.shape for k, v in x.items()},
            dtypes={k: v.dtype for k, v in x.items()},
            dtype="bfloat16",
        )
    except mxserve.UnsupportedError:
        pytest.skip("this CPU has neither AVX512-BF16 nor AMX")
    kernels = dict(p.info()["kernels"])
    # bfloat16 kernels name their ISA: avx512_core_bf16, or avx512_core_amx (AMX is bf16/int8 only).
    attention = [k for n, k in kernels.items() if "interleaved_matmul" in n]
    assert attention and all("bf16" in k or "amx" in k for k in attention), kernels
    for got, w in zip(p(**x), want):
        assert got.dtype == np.float32
        rel = np.abs(got - w).max() / np.abs(w).max()
        assert rel < 3e-2, f"bfloat16 max relative error {rel}"
