# SPDX-License-Identifier: Apache-2.0
"""GluonNLP 0.10 exports with random weights against MXNet 1.9.1 (tests/oracle/recipes/nlp.py):
a 2-layer BERT (seq 32) by default; BERT-base (encoder with pooler, and BERTClassifier) and
DistilBERT at seq 128 are slow. Inputs: int32 token ids and types, float32 valid lengths."""

import pytest
from oracle.gluon import check_gluon_model

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
