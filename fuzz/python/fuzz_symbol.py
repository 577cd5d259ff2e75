# SPDX-License-Identifier: Apache-2.0
"""atheris target: a symbol JSON through Predictor (parse, upgrade, inference, planning) with the
digits network's parameters, then one forward pass when it binds."""

from __future__ import annotations

import pathlib

import atheris
import numpy as np
from _target import expect_clean, main

with atheris.instrument_imports(include=["mxserve"]):
    import mxserve

PARAMS = (
    pathlib.Path(__file__).resolve().parents[2] / "model_store/digits_mlp/1/model-0000.params"
).read_bytes()


def test_one_input(data: bytes) -> None:
    def load_and_run() -> None:
        pred = mxserve.Predictor(data, PARAMS, input_shapes={"data": (2, 64)}, num_threads=1)
        pred(data=np.ones((2, 64), np.float32))

    expect_clean(load_and_run)


if __name__ == "__main__":
    main(test_one_input)
