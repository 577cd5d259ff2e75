# SPDX-License-Identifier: Apache-2.0
"""atheris target: a parameter file (0x112 NDArray list, .npz or .npy) through mxserve.nd.load and
through Predictor's load of the digits network."""

from __future__ import annotations

import pathlib

import atheris
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    import mxserve

SYMBOL = (
    pathlib.Path(__file__).resolve().parents[2] / "model_store/digits_mlp/1/model-symbol.json"
).read_bytes()


def test_one_input(data: bytes) -> None:
    expect_clean(lambda: mxserve.nd.load(data))
    expect_clean(
        lambda: mxserve.Predictor(SYMBOL, data, input_shapes={"data": (1, 64)}, num_threads=1)
    )


if __name__ == "__main__":
    main(test_one_input)
