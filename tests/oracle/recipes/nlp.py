# SPDX-License-Identifier: Apache-2.0
"""Recipes for tests/oracle/mx_gluon.py: GluonNLP 0.10 BERT and DistilBERT with random weights,
as a serving user exports them (the encoder with its pooler, or BERTClassifier). Runs in the
oracle environment. The oracle has no network, so the vocabulary of
book_corpus_wiki_en_uncased is stood in for by a BERTVocab of the same size (30522 tokens);
the network is the same."""

import numpy as np

VOCAB_SIZE = 30522


def _vocab(size):
    import gluonnlp as nlp

    # BERTVocab adds its five special tokens to the counted ones.
    tokens = [f"w{i}" for i in range(size - 5)]
    return nlp.vocab.BERTVocab(nlp.data.count_tokens(tokens))


def _bert_inputs(seq_len, vocab_size, seed, with_types=True):
    rng = np.random.RandomState(seed)

    def inputs(b):
        ids = rng.randint(0, vocab_size, (b, seq_len)).astype("int32")
        types = rng.randint(0, 2, (b, seq_len)).astype("int32")
        # Valid lengths from a quarter of the sequence to all of it; float32 as GluonNLP uses.
        valid = rng.randint(seq_len // 4, seq_len + 1, (b,)).astype("float32")
        valid[0] = seq_len
        return [ids, types, valid] if with_types else [ids, valid]

    return inputs


def _bert_base(classifier):
    def recipe():
        import gluonnlp as nlp

        bert, _ = nlp.model.get_model(
            "bert_12_768_12",
            vocab=_vocab(VOCAB_SIZE),
            pretrained=False,
            use_pooler=True,
            use_decoder=False,
            use_classifier=False,
        )
        net = nlp.model.BERTClassifier(bert, num_classes=2, dropout=0.1) if classifier else bert
        return {"net": net, "inputs": _bert_inputs(128, VOCAB_SIZE, 5)}

    return recipe


def _distilbert():
    import gluonnlp as nlp

    net, _ = nlp.model.get_model(
        "distilbert_6_768_12", dataset_name=None, vocab=_vocab(VOCAB_SIZE), pretrained=False
    )
    return {"net": net, "inputs": _bert_inputs(128, VOCAB_SIZE, 6, with_types=False)}


def _bert_small():
    from gluonnlp.model.bert import BERTEncoder, BERTModel

    encoder = BERTEncoder(
        num_layers=2,
        units=128,
        hidden_size=512,
        max_length=64,
        num_heads=2,
        dropout=0.1,
        output_attention=False,
        output_all_encodings=False,
        activation="gelu",
        layer_norm_eps=1e-12,
    )
    net = BERTModel(
        encoder,
        1000,
        token_type_vocab_size=2,
        units=128,
        embed_size=128,
        use_pooler=True,
        use_decoder=False,
        use_classifier=False,
    )
    return {"net": net, "inputs": _bert_inputs(32, 1000, 7)}


RECIPES = {
    "bert_small": _bert_small,
    "bert_12_768_12": _bert_base(False),
    "bert_12_768_12_classifier": _bert_base(True),
    "distilbert_6_768_12": _distilbert,
}
